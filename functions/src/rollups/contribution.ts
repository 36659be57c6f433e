/**
 * What one curated lead contributes to the scores, decided from the lead alone: counted for two
 * miners at an instant, skipped at an instant (a hotkey is missing or not an address), or skipped
 * whatever the window (its `created_at` gives no usable instant). The full scan and the rollups
 * both classify through `contributionOf`, so the two cannot disagree about a lead; only the window
 * test is left to the reader, because the window moves and the lead does not.
 *
 * A contribution is stored as one short line of text (`counted <micros> <curator> <source>`):
 * the rollups keep one per lead, and the Firestore emulator writes flat documents about half again
 * as fast as nested ones.
 */
import type { DocumentData, Timestamp } from 'firebase-admin/firestore';
import { classifyCreatedAt, CREATED_AT_SKIP_REASONS } from '../leads/created-at';
import { CREATED_AT } from '../leads/window';

export const HOTKEY_FIELDS = ['curated_by', 'source'] as const;
export type HotkeyField = (typeof HOTKEY_FIELDS)[number];

/** Reasons that depend on `created_at` alone: such a lead is skipped in every window. */
/** Every reason a `created_at` cannot be used (leads/created-at.ts), each counted under its name. */
export const CREATED_AT_SKIPS = CREATED_AT_SKIP_REASONS;
export type CreatedAtSkip = (typeof CREATED_AT_SKIPS)[number];

/** Reasons that depend on the hotkeys: such a lead is skipped only when it is in the window. */
export const HOTKEY_SKIPS = [
  'missing_curated_by',
  'missing_source',
  'invalid_curated_by',
  'invalid_source',
] as const satisfies ReadonlyArray<`${'missing' | 'invalid'}_${HotkeyField}`>;
export type HotkeySkip = (typeof HOTKEY_SKIPS)[number];

export type SkipReason = CreatedAtSkip | HotkeySkip;
/** Every reason, in the order results list them. */
export const SKIP_REASONS: readonly SkipReason[] = [...CREATED_AT_SKIPS, ...HOTKEY_SKIPS];

export type Contribution =
  | { kind: 'counted'; micros: number; curated_by: string; source: string }
  | { kind: 'skipped'; micros: number; reason: HotkeySkip }
  | { kind: 'bad_created_at'; reason: CreatedAtSkip; detail: string };

/** The canonical form of a hotkey, or undefined when it is not one (leads/hotkey.ts). */
export type Canonical = (value: string) => string | undefined;

/**
 * The lead's contribution. `canonical` is passed in rather than imported: hotkey validation loads
 * @polkadot/util-crypto, which the trigger loads only when its first lead arrives.
 */
export function contributionOf(data: DocumentData, canonical: Canonical): Contribution {
  // Total: an instant a lead can have, or a named reason (negative, absurd, ±Infinity included).
  const createdAt = classifyCreatedAt(data[CREATED_AT]);
  if (!createdAt.ok) {
    const detail =
      createdAt.reason === 'unexpected_created_at_type' ? createdAt.type : createdAt.value;
    return { kind: 'bad_created_at', reason: createdAt.reason, detail };
  }
  const { micros } = createdAt;
  const hotkeys: string[] = [];
  for (const field of HOTKEY_FIELDS) {
    const value: unknown = data[field];
    if (value === undefined || value === null || value === '') {
      return { kind: 'skipped', micros, reason: `missing_${field}` };
    }
    const hotkey = typeof value === 'string' ? canonical(value) : undefined;
    if (hotkey === undefined) return { kind: 'skipped', micros, reason: `invalid_${field}` };
    hotkeys.push(hotkey);
  }
  const [curated_by, source] = hotkeys;
  return { kind: 'counted', micros, curated_by, source };
}

/** Leads repeat a few hotkeys many times: decoding each distinct string once is enough. */
export function cachedCanonical(canonical: Canonical): Canonical {
  const known = new Map<string, string | undefined>();
  return (value) => {
    if (!known.has(value)) known.set(value, canonical(value));
    return known.get(value);
  };
}

export function encodeContribution(c: Contribution): string {
  switch (c.kind) {
    case 'counted':
      return `counted ${c.micros} ${c.curated_by} ${c.source}`;
    case 'skipped':
      return `skipped ${c.micros} ${c.reason}`;
    case 'bad_created_at':
      return `bad_created_at ${c.reason} ${c.detail}`;
  }
}

export function decodeContribution(text: string): Contribution {
  const [kind, a, b, ...rest] = text.split(' ');
  if (kind === 'counted' && rest.length === 1) {
    return { kind, micros: Number(a), curated_by: b, source: rest[0] };
  }
  if (kind === 'skipped' && (HOTKEY_SKIPS as readonly string[]).includes(b)) {
    return { kind, micros: Number(a), reason: b as HotkeySkip };
  }
  if (kind === 'bad_created_at' && (CREATED_AT_SKIPS as readonly string[]).includes(a)) {
    return { kind, reason: a as CreatedAtSkip, detail: text.slice(kind.length + a.length + 2) };
  }
  throw new Error(`not a lead contribution: ${JSON.stringify(text.slice(0, 80))}`);
}

/** The instant of a contribution, when it has one. */
export function instantOf(c: Contribution | null): number | undefined {
  return c !== null && c.kind !== 'bad_created_at' ? c.micros : undefined;
}

/**
 * Which write of a lead a contribution reflects: the document's update time, and whether the
 * write deleted it. A delete carries the update time of the version it removed and sorts just
 * after it, so every event of a lead has its place in one order and a late or repeated event is
 * recognised as old whatever order the events arrive in.
 */
export interface Version {
  time: Timestamp;
  deleted: boolean;
}

export function compareVersions(a: Version, b: Version): number {
  return (
    a.time.seconds - b.time.seconds ||
    a.time.nanoseconds - b.time.nanoseconds ||
    Number(a.deleted) - Number(b.deleted)
  );
}
