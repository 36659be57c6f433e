/** Shaping data for Firestore, which refuses `undefined` anywhere in a document. */
import { Timestamp } from 'firebase-admin/firestore';

/** Firestore refuses undefined values: drop them, at any depth of plain objects. */
export function withoutUndefined<T>(value: T): T {
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    value instanceof Timestamp
  )
    return value;
  return Object.fromEntries(
    Object.entries(value).flatMap(([key, v]) =>
      v === undefined ? [] : [[key, withoutUndefined(v)]],
    ),
  ) as T;
}
