/**
 * `created_at` arrives in three shapes because several producers wrote leads over time:
 * a Firestore Timestamp, epoch seconds (int or float; values above 1e12 are milliseconds), or an
 * ISO-8601 string (`Z`, `±hh:mm` or no zone, which means UTC). All are read as whole microseconds
 * since the epoch, the finest unit any producer writes, so window edges compare exactly.
 */
import { DocumentReference, GeoPoint, Timestamp } from 'firebase-admin/firestore';

/** Above this an epoch number is in milliseconds; at or below, in seconds. */
export const MILLISECONDS_THRESHOLD = 1e12;

export type CreatedAt =
  | { ok: true; micros: number }
  | { ok: false; reason: 'unexpected_created_at_type'; type: string }
  | { ok: false; reason: 'unparseable_created_at'; value: string };

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
    return micros === undefined
      ? unparseable(JSON.stringify(value.slice(0, 64)))
      : { ok: true, micros };
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
  const match = ISO_8601.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] =
    match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number);
  const millis = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls invalid fields over (Feb 30 → Mar 2); a real instant round-trips.
  const check = new Date(millis);
  if (
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() !== mo - 1 ||
    check.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  ) {
    return undefined;
  }
  const fractionMicros = Number(fraction.slice(0, 6).padEnd(6, '0'));
  return millis * 1000 + fractionMicros - zoneOffsetMinutes(zone) * 60e6;
}

function zoneOffsetMinutes(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return zone.startsWith('-') ? -minutes : minutes;
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
