/**
 * The aggregates: one document per UTC day, holding for each of its 24 hours what the leads
 * created in that hour contribute (per miner: leads curated and leads sourced; per reason: leads
 * skipped for a hotkey), and one totals record for what does not depend on the window (every
 * lead, and those whose `created_at` gives no instant). Folding a lead in or out is a pure
 * function of these values, so the fold, the rebuild and the tests share it.
 *
 * A 30-day window touches at most 31 days. A day stores per miner two arrays of 24 counts (at
 * most 451 bytes): a day with every one of a subnet's 256 uids active is ~120 KB. A day document
 * holds at most MINERS_PER_DOC (1,500) miners, its shard documents the rest (store.ts), so scoring
 * reads 31 day documents plus one per further 1,500 distinct hotkeys in a day.
 */
import {
  CREATED_AT_SKIPS,
  type Contribution,
  type CreatedAtSkip,
  type HotkeySkip,
  type SkipReason,
} from './contribution';

export const HOUR_MICROS = 3600e6;
export const HOURS_PER_DAY = 24;
/**
 * Leads an hour's list may name: each at most 257 bytes (a key of ≤ 128 bytes, see `hourKey`, and
 * a contribution of ≤ 127), so a full list is ≤ 900 KB, within a document's 1 MiB. An hour with
 * more is marked `overflow` in its day, and its edge is read lead by lead by a query.
 */
export const HOUR_LIST_MAX = 3500;
/** Skipped leads listed per day and in the totals, with their id (all of them are counted). */
export const SAMPLES_KEPT = 100;

export interface SkipSample {
  id: string;
  reason: SkipReason;
  /** The lead's instant, for hotkey skips (they are listed only when in the window). */
  micros?: number;
  detail?: string;
}

export interface DayRollup {
  /** Days since the epoch (UTC). */
  day: number;
  miners: Record<string, { curated: number[]; sourced: number[] }>;
  skipped: Partial<Record<HotkeySkip, number[]>>;
  /**
   * Earliest and latest instant ever folded into each hour. Bounds, not exact: a lead taken out
   * does not narrow them. They let scoring skip the lead-by-lead read of an edge hour when no
   * lead can be on the far side of the window's edge.
   */
  first: Array<number | null>;
  last: Array<number | null>;
  /** Hours with more than HOUR_LIST_MAX leads: their hour lists are incomplete, never read. */
  overflow: boolean[];
  samples: SkipSample[];
}

export interface RollupTotals {
  /** Leads folded in: every lead of the collection, once the rollups are complete. */
  leads: number;
  bad_created_at: Record<CreatedAtSkip, number>;
  /** Leads skipped for their `created_at`, listed. */
  samples: SkipSample[];
}

export const hourOf = (micros: number) => Math.floor(micros / HOUR_MICROS);
/** The hour a contribution counts in, when it has one a Date can hold. */
export function bucketOf(contribution: Contribution | null): number | undefined {
  if (contribution === null || contribution.kind === 'bad_created_at') return undefined;
  const hour = hourOf(contribution.micros);
  return dayId(dayOfHour(hour)) === undefined ? undefined : hour;
}
export const dayOfHour = (hour: number) => Math.floor(hour / HOURS_PER_DAY);

/** The day document's id (`2026-11-22`), or undefined for an instant no Date can hold. */
export function dayId(day: number): string | undefined {
  const date = new Date(day * 86_400e3);
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString();
  return iso.slice(0, iso.indexOf('T'));
}

export function emptyDay(day: number): DayRollup {
  return {
    day,
    miners: {},
    skipped: {},
    first: Array<null>(HOURS_PER_DAY).fill(null),
    last: Array<null>(HOURS_PER_DAY).fill(null),
    overflow: Array<boolean>(HOURS_PER_DAY).fill(false),
    samples: [],
  };
}

export function emptyTotals(): RollupTotals {
  return {
    leads: 0,
    bad_created_at: Object.fromEntries(CREATED_AT_SKIPS.map((r) => [r, 0])) as Record<
      CreatedAtSkip,
      number
    >,
    samples: [],
  };
}

/** Where a fold writes: the days (created on first use) and the totals. */
export interface FoldTarget {
  day(day: number): DayRollup;
  totals: RollupTotals;
}

/** Adds (+1) or takes away (−1) one lead's contribution; null (no lead) changes nothing. */
export function applyContribution(
  target: FoldTarget,
  id: string,
  contribution: Contribution | null,
  sign: 1 | -1,
): void {
  if (contribution === null) return;
  const { totals } = target;
  totals.leads += sign;
  if (contribution.kind === 'bad_created_at') {
    totals.bad_created_at[contribution.reason] += sign;
    const sample = { id, reason: contribution.reason, detail: contribution.detail };
    totals.samples = sampled(totals.samples, sample, sign);
    return;
  }
  const hour = bucketOf(contribution);
  // An instant beyond what a Date holds is in no window: it counts among the leads only.
  if (hour === undefined) return;
  const day = target.day(dayOfHour(hour));
  const h = hour - day.day * HOURS_PER_DAY;
  if (contribution.kind === 'counted') {
    add(minerOf(day, contribution.curated_by).curated, h, sign);
    add(minerOf(day, contribution.source).sourced, h, sign);
    for (const hotkey of [contribution.curated_by, contribution.source]) dropIfEmpty(day, hotkey);
  } else {
    const counts = (day.skipped[contribution.reason] ??= zeros());
    add(counts, h, sign);
    if (counts.every((n) => n === 0)) Reflect.deleteProperty(day.skipped, contribution.reason);
    const sample = { id, reason: contribution.reason, micros: contribution.micros };
    day.samples = sampled(day.samples, sample, sign);
  }
  if (sign > 0) {
    const { micros } = contribution;
    day.first[h] = Math.min(day.first[h] ?? micros, micros);
    day.last[h] = Math.max(day.last[h] ?? micros, micros);
  }
}

/** Leads counted or skipped in hour `h` of the day (0–23). */
function leadsInHour(day: DayRollup, h: number): number {
  let leads = 0;
  for (const { curated } of Object.values(day.miners)) leads += curated[h];
  for (const counts of Object.values(day.skipped)) leads += counts?.[h] ?? 0;
  return leads;
}

/** Marks the hours of the day that outgrew their list (for good, until a rebuild). */
export function markOverflow(day: DayRollup): void {
  for (let h = 0; h < HOURS_PER_DAY; h++) {
    if (leadsInHour(day, h) > HOUR_LIST_MAX) day.overflow[h] = true;
  }
}

function minerOf(day: DayRollup, hotkey: string) {
  return (day.miners[hotkey] ??= { curated: zeros(), sourced: zeros() });
}

function dropIfEmpty(day: DayRollup, hotkey: string): void {
  const miner = day.miners[hotkey];
  if (miner && [...miner.curated, ...miner.sourced].every((n) => n === 0)) {
    Reflect.deleteProperty(day.miners, hotkey);
  }
}

const zeros = () => Array<number>(HOURS_PER_DAY).fill(0);

function add(counts: number[], hour: number, sign: number): void {
  counts[hour] += sign;
}

function sampled(samples: SkipSample[], sample: SkipSample, sign: 1 | -1): SkipSample[] {
  const others = samples.filter((s) => s.id !== sample.id);
  return sign > 0 && others.length < SAMPLES_KEPT ? [...others, sample] : others;
}
