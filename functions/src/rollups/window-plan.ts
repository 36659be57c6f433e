/**
 * How a scoring window is read from the rollups: whole hours from the day documents, and the
 * window's edges, which fall inside hours, lead by lead. The end of the window is "now", so past
 * it there are only leads dated in the future: its hour is read whole and those few taken away.
 * The start's hour is split wherever the window starts: whichever side is shorter is read lead by
 * lead (taken away from the hour, or added to the hours after it), so a run reads the leads of at
 * most half an hour there. The day documents bound each hour's instants, so an edge no lead can be
 * on is not read at all.
 */
import type { Window } from '../leads/window';
import {
  dayOfHour,
  HOUR_MICROS,
  HOURS_PER_DAY,
  hourOf,
  type DayRollup,
  type SkipSample,
} from './buckets';
import { HOTKEY_SKIPS, type Contribution, type HotkeySkip } from './contribution';

/** Instants `from`..`to` (inclusive) within one hour, added to or taken from the whole hours. */
export interface EdgeRange {
  hour: number;
  from: number;
  to: number;
  sign: 1 | -1;
}

export interface WindowPlan {
  /** Hours read whole from the day documents, inclusive (none when fromHour > toHour). */
  fromHour: number;
  toHour: number;
  edges: EdgeRange[];
  /** The day documents to read. */
  days: number[];
}

export function planWindow({ startMicros: start, endMicros: end }: Window): WindowPlan {
  const startHour = hourOf(start);
  const endHour = hourOf(end);
  const hourStart = (hour: number) => hour * HOUR_MICROS;
  const edges: EdgeRange[] = [];
  let fromHour: number;
  if (startHour === endHour) {
    // A window shorter than an hour: its leads, one by one.
    return {
      fromHour: startHour + 1,
      toHour: startHour,
      edges: [{ hour: startHour, from: start, to: end, sign: 1 }],
      days: [dayOfHour(startHour)],
    };
  }
  if (start - hourStart(startHour) <= HOUR_MICROS / 2) {
    fromHour = startHour;
    if (start > hourStart(startHour)) {
      edges.push({ hour: startHour, from: hourStart(startHour), to: start - 1, sign: -1 });
    }
  } else {
    fromHour = startHour + 1;
    edges.push({ hour: startHour, from: start, to: hourStart(startHour + 1) - 1, sign: 1 });
  }
  const toHour = endHour;
  if (end < hourStart(endHour + 1) - 1) {
    edges.push({ hour: endHour, from: end + 1, to: hourStart(endHour + 1) - 1, sign: -1 });
  }
  const days: number[] = [];
  for (let day = dayOfHour(startHour); day <= dayOfHour(endHour); day++) days.push(day);
  return { fromHour, toHour, edges, days };
}

/** The edges that may hold a lead, judged by the hours' bounds: only these are read. */
export function edgesToRead(plan: WindowPlan, days: ReadonlyMap<number, DayRollup>): EdgeRange[] {
  return plan.edges.filter(({ hour, from, to }) => {
    const day = days.get(dayOfHour(hour));
    const h = hour - dayOfHour(hour) * HOURS_PER_DAY;
    const first = day?.first[h] ?? null;
    const last = day?.last[h] ?? null;
    return first !== null && last !== null && first <= to && last >= from;
  });
}

export interface WindowCounts {
  /** Per miner (canonical hotkey): leads curated and leads sourced in the window, none zero. */
  miners: Map<string, { curated: number; sourced: number }>;
  counted: number;
  skipped: Record<HotkeySkip, number>;
  /** Leads skipped for a hotkey in the window, as far as the days list them. */
  samples: SkipSample[];
}

/** A lead read at an edge: its folded contribution and whether that edge adds or takes away. */
export interface EdgeLead {
  id: string;
  contribution: Contribution;
  sign: 1 | -1;
}

export function countWindow(
  plan: WindowPlan,
  days: ReadonlyMap<number, DayRollup>,
  edgeLeads: readonly EdgeLead[],
  window: Window,
): WindowCounts {
  const miners = new Map<string, { curated: number; sourced: number }>();
  const miner = (hotkey: string) => {
    let counts = miners.get(hotkey);
    if (!counts) miners.set(hotkey, (counts = { curated: 0, sourced: 0 }));
    return counts;
  };
  const skipped = Object.fromEntries(HOTKEY_SKIPS.map((r) => [r, 0])) as Record<HotkeySkip, number>;
  let counted = 0;
  for (const day of plan.days) {
    const rollup = days.get(day);
    if (!rollup) continue;
    const from = Math.max(plan.fromHour - day * HOURS_PER_DAY, 0);
    const to = Math.min(plan.toHour - day * HOURS_PER_DAY, HOURS_PER_DAY - 1);
    const sum = (counts: readonly number[]) => {
      let total = 0;
      for (let h = from; h <= to; h++) total += counts[h] ?? 0;
      return total;
    };
    for (const [hotkey, { curated, sourced }] of Object.entries(rollup.miners)) {
      const counts = miner(hotkey);
      counts.curated += sum(curated);
      counts.sourced += sum(sourced);
    }
    for (const reason of HOTKEY_SKIPS) skipped[reason] += sum(rollup.skipped[reason] ?? []);
  }
  for (const { contribution, sign } of edgeLeads) {
    if (contribution.kind === 'counted') {
      miner(contribution.curated_by).curated += sign;
      miner(contribution.source).sourced += sign;
    } else if (contribution.kind === 'skipped') {
      skipped[contribution.reason] += sign;
    }
  }
  for (const [hotkey, counts] of miners) {
    if (counts.curated === 0 && counts.sourced === 0) miners.delete(hotkey);
    counted += counts.curated;
  }
  const inWindow = (micros: number | undefined) =>
    micros !== undefined && micros >= window.startMicros && micros <= window.endMicros;
  const samples = plan.days.flatMap((day) =>
    (days.get(day)?.samples ?? []).filter((sample) => inWindow(sample.micros)),
  );
  return { miners, counted, skipped, samples };
}
