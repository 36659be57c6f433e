/**
 * Reads the curated leads a scoring window needs, and only those, although `created_at` comes in
 * three types. Firestore orders values by type first (null < boolean < NaN < numbers < timestamps
 * < strings < bytes < references < geopoints < arrays < maps) and a range filter only matches its
 * own type, so one query per type covers the window. Cursors, unlike filters, cross type
 * boundaries: two cursor queries at the ends of the order also pick up every value of a type that
 * scoring cannot use, so such a lead is reported instead of silently ignored.
 *
 * Queries are deliberately a little wider than the window (a day for strings, whose text order
 * only follows time to the date; a unit of rounding for numbers); the exact edge test is done in
 * memory on the parsed instant. Each lead has one `created_at`, so no two queries return it.
 * A lead without any `created_at` field is in no index and cannot be found by a query.
 */
import type {
  CollectionReference,
  DocumentData,
  Firestore,
  Query,
  QueryDocumentSnapshot,
} from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import { MILLISECONDS_THRESHOLD } from './created-at';

export const CREATED_AT = 'created_at';
const MICROS_PER_DAY = 86_400e6;

/** Inclusive bounds, in microseconds since the epoch. */
export interface Window {
  startMicros: number;
  endMicros: number;
}

export function windowEndingAt(now: Date, days: number): Window {
  const endMicros = now.getTime() * 1000;
  return { startMicros: endMicros - Math.round(days * MICROS_PER_DAY), endMicros };
}

export function microsToIso(micros: number): string {
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  const sub = micros % 1000;
  return sub === 0 ? iso : `${iso.slice(0, -1)}${String(sub).padStart(3, '0')}Z`;
}

/** A lead the window queries returned: only `created_at` and the fields asked for. */
export interface WindowLead {
  id: string;
  data: DocumentData;
}

/**
 * Every lead the window queries return, once each; the caller classifies them (the queries are a
 * little wider than the window). Only `fields` (and `created_at`) are read: the rest of a lead,
 * such as the buyer's personal data, never is.
 */
export async function* leadsInWindow(
  db: Firestore,
  collection: string,
  window: Window,
  fields: readonly string[],
): AsyncGenerator<WindowLead> {
  const ref = db.collection(collection);
  for (const query of windowQueries(ref, window)) {
    const stream = query.select(CREATED_AT, ...fields).stream();
    for await (const doc of stream as AsyncIterable<QueryDocumentSnapshot>) {
      yield { id: doc.id, data: doc.data() };
    }
  }
}

export function windowQueries(
  ref: CollectionReference,
  { startMicros, endMicros }: Window,
): Query[] {
  const byCreatedAt = ref.orderBy(CREATED_AT);
  const startSeconds = startMicros / 1e6;
  const endSeconds = endMicros / 1e6;
  const between = (low: unknown, high: unknown) =>
    ref.where(CREATED_AT, '>=', low).where(CREATED_AT, '<=', high);
  return [
    // Timestamps.
    between(toTimestamp(startMicros), toTimestamp(endMicros)),
    // Epoch seconds, widened by a second for float rounding, kept below the milliseconds range.
    between(startSeconds - 1, Math.min(endSeconds + 1, MILLISECONDS_THRESHOLD)),
    // Epoch milliseconds: values above the threshold, widened by a millisecond.
    ref
      .where(CREATED_AT, '>', Math.max(MILLISECONDS_THRESHOLD, startSeconds * 1e3 - 1))
      .where(CREATED_AT, '<=', endSeconds * 1e3 + 1),
    // ISO strings from the day before the window on, then every type after strings in the
    // order (bytes, references, geopoints, arrays, maps): unusable, reported.
    byCreatedAt.startAt(isoDate(startMicros - MICROS_PER_DAY)),
    // Null, booleans and NaN, which sort before every number.
    byCreatedAt.endBefore(-Infinity),
    // Strings that sort before any ISO date of this millennium ("1700000000", "01/11/2026").
    byCreatedAt.startAt('').endBefore('2'),
  ];
}

function toTimestamp(micros: number): Timestamp {
  const seconds = Math.floor(micros / 1e6);
  return new Timestamp(seconds, (micros - seconds * 1e6) * 1000);
}

function isoDate(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toISOString().slice(0, 10);
}
