/**
 * `created_at` arrives in three shapes because several producers wrote leads over time:
 * a Firestore Timestamp, epoch seconds (int or float; values above 1e12 are milliseconds), or an
 * ISO-8601 string (`Z`, `±hh:mm` or no zone, which means UTC). All are read as whole microseconds
 * since the epoch, the finest unit any producer writes, so window edges compare exactly.
 *
 * Leads are written by miners, so any value may arrive. `parseCreatedAt` says which instant a
 * value denotes; `classifyCreatedAt` says whether that instant can be a lead's: for every value
 * it returns the instant or one named reason, so no lead falls between the cases unaccounted for.
 */
import { DocumentReference, GeoPoint, Timestamp } from 'firebase-admin/firestore';

/** Above this an epoch number is in milliseconds; at or below, in seconds. */
export const MILLISECONDS_THRESHOLD = 1e12;

/**
 * The last instant a lead may have: the largest number of microseconds a double holds exactly
 * (2255-06-05). Epoch microseconds or nanoseconds, read as milliseconds, land far beyond it.
 */
export const MAX_CREATED_AT_MICROS = Number.MAX_SAFE_INTEGER;

/**
 * How far ahead of the clock a lead may be dated: more than any zone mistake (±14 h) and clock
 * skew, so that a producer writing local time as UTC loses no lead, far less than a window.
 */
export const FUTURE_TOLERANCE_MICROS = 24 * 3600e6;

/** The longest ISO-8601 text read (35 characters with nanoseconds and an offset, and spaces). */
export const MAX_ISO_LENGTH = 64;

export type CreatedAt =
  | { ok: true; micros: number }
  | { ok: false; reason: 'unexpected_created_at_type'; type: string }
  | { ok: false; reason: 'unparseable_created_at'; value: string };

/** Why a lead's `created_at` cannot be used; each is counted under its name. */
export const CREATED_AT_SKIP_REASONS = [
  /** Not a Timestamp, number or string (null, boolean, map, array, bytes, geopoint, reference). */
  'unexpected_created_at_type',
  /** A string that is not an ISO-8601 instant (or too long to be one), or NaN. */
  'unparseable_created_at',
  /** An instant before 1970 or after MAX_CREATED_AT_MICROS, or ±Infinity. */
  'created_at_out_of_range',
  /** Later than the clock plus FUTURE_TOLERANCE_MICROS. */
  'created_at_in_future',
] as const;

export type CreatedAtSkipReason = (typeof CREATED_AT_SKIP_REASONS)[number];

export type CreatedAtClass =
  | { ok: true; micros: number }
  | { ok: false; reason: 'unexpected_created_at_type'; type: string }
  | {
      ok: false;
      reason: Exclude<CreatedAtSkipReason, 'unexpected_created_at_type'>;
      value: string;
    };

/**
 * The instant of a lead's `created_at`, or why there is none: total, for any value a Firestore
 * document can hold. `nowMicros` is the clock to judge the future by (the time the lead is
 * classified); without it, no instant is in the future.
 */
export function classifyCreatedAt(value: unknown, nowMicros?: number): CreatedAtClass {
  if (value === Infinity || value === -Infinity) return skip('created_at_out_of_range', value);
  const parsed = parseCreatedAt(value);
  if (!parsed.ok) return parsed;
  if (parsed.micros < 0 || parsed.micros > MAX_CREATED_AT_MICROS) {
    return skip('created_at_out_of_range', value);
  }
  if (nowMicros !== undefined && parsed.micros > nowMicros + FUTURE_TOLERANCE_MICROS) {
    return skip('created_at_in_future', value);
  }
  return parsed;
}

function skip(
  reason: Exclude<CreatedAtSkipReason, 'unexpected_created_at_type'>,
  value: unknown,
): CreatedAtClass {
  return { ok: false, reason, value: shown(value) };
}

/** A short, printable rendering of the value, for the skip's detail. */
function shown(value: unknown): string {
  if (value instanceof Timestamp) return `Timestamp(${value.seconds}, ${value.nanoseconds})`;
  if (typeof value === 'string') return JSON.stringify(value.slice(0, MAX_ISO_LENGTH));
  return String(value);
}

/** The instant a value denotes, whether or not a lead can have it (see classifyCreatedAt). */
export function parseCreatedAt(value: unknown): CreatedAt {
  if (value instanceof Timestamp) {
    return { ok: true, micros: value.seconds * 1e6 + Math.floor(value.nanoseconds / 1000) };
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return unparseable(String(value));
    const scale = Math.abs(value) > MILLISECONDS_THRESHOLD ? 1e3 : 1e6;
    return { ok: true, micros: Math.round(value * scale) };
  }
  if (typeof value === 'string') {
    const micros = parseIsoMicros(value);
    return micros === undefined ? unparseable(shown(value)) : { ok: true, micros };
  }
  return { ok: false, reason: 'unexpected_created_at_type', type: firestoreTypeName(value) };
}

function unparseable(value: string): CreatedAt {
  return { ok: false, reason: 'unparseable_created_at', value };
}

// Date, optional time (T or space, as Python's str(datetime) writes), optional fraction of any
// length, optional zone. JavaScript's Date.parse would read a zone-less time as local time.
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Microseconds since the epoch of an ISO-8601 instant, or undefined if it is not one. */
export function parseIsoMicros(text: string): number | undefined {
  // A miner's string may be a megabyte long: no instant is, so none is worth matching.
  if (text.length > MAX_ISO_LENGTH) return undefined;
  const match = ISO_8601.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] =
    match;
  const offset = zoneOffsetMinutes(zone);
  if (offset === undefined) return undefined;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  // Invalid fields roll over (Feb 30 → Mar 2); a real date round-trips.
  if (
    date.getUTCFullYear() !== y ||
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  ) {
    return undefined;
  }
  const millis = date.getTime() + ((h * 60 + mi) * 60 + s) * 1000;
  const fractionMicros = Number(fraction.slice(0, 6).padEnd(6, '0'));
  return millis * 1000 + fractionMicros - offset * 60e6;
}

/** The longest offset any zone uses (Kiribati, +14:00). */
const MAX_OFFSET_MINUTES = 14 * 60;

/** The zone's offset east of UTC in minutes, or undefined for one no zone has (+99:99). */
function zoneOffsetMinutes(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  const total = hours * 60 + minutes;
  if (minutes > 59 || total > MAX_OFFSET_MINUTES) return undefined;
  return zone.startsWith('-') ? -total : total;
}

/** Firestore's name for the type of a value read from a document. */
function firestoreTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value)) return 'array';
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return 'bytes';
  if (value instanceof GeoPoint) return 'geopoint';
  if (value instanceof DocumentReference) return 'reference';
  if (typeof value === 'object') return 'map';
  return typeof value;
}
