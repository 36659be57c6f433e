/**
 * Folding: the leads whose contribution changed since the last fold (the pending markers) are
 * taken out of the aggregates as they were folded and put back as they are now. Scoring folds
 * before it reads, so each change is read once by one fold, not once per publish.
 *
 * A fold writes, in one batch per chunk of leads, their records, the markers it clears, the days,
 * the hour lists and the totals, each (but the merged hour lists) with a precondition on the
 * version it read: if a trigger or another fold wrote any of them meanwhile, the batch fails as a
 * whole and the chunk is read again. So two folds at once, or a fold racing the trigger, never
 * count a change twice or lose one. In practice one writer folds at a time (the publisher, under
 * its lease), so a day document sees a few writes an hour, far below Firestore's one write per
 * second and document.
 *
 * A day's miners are written field by field (only those the chunk changed), into whichever of the
 * day's documents holds each (store.ts, `placeMiners`), so a write stays small however many
 * hotkeys the day has. A chunk that Firestore refuses for any other reason than a lost race
 * (a document or request over its limits, a record that cannot be read) is split in halves and
 * each folded on its own; a single lead that still cannot be folded keeps its marker (the next
 * fold tries it again) and is reported by id in `stuck`, and the others are folded regardless.
 */
import { FieldValue, type DocumentSnapshot, type Timestamp } from 'firebase-admin/firestore';
import {
  applyContribution,
  bucketOf,
  dayOfHour,
  emptyDay,
  emptyTotals,
  markOverflow,
  type DayRollup,
} from './buckets';
import { instantOf, type Contribution } from './contribution';
import {
  dayOf,
  decodeOrNull,
  foldedIn,
  HourListChanges,
  isStaleWrite,
  loadDay,
  minersIn,
  minerShardOf,
  placeMiners,
  recordOf,
  shardRefs,
  stateOf,
  type LoadedDay,
  type PendingMarker,
  type RollupState,
  type RollupStore,
  type StoredMinerShard,
} from './store';

/** Writes per batch: under Firestore's 500, with room for the state. */
const MAX_WRITES = 450;
const ATTEMPTS = 8;
/** Stuck leads named in a fold's outcome (all of them are counted). */
export const STUCK_LISTED = 20;

export interface StuckLead {
  id: string;
  /** Why it could not be folded (Firestore's message, or why its record is unreadable). */
  reason: string;
}

export interface FoldOutcome {
  /** The state as this fold left it; undefined when nothing was pending (it was not read). */
  state: RollupState | undefined;
  /** Leads whose folded contribution changed. */
  folded: number;
  /** Documents read: markers and lead records, and aggregates (state and days). */
  reads: { leads: number; aggregates: number };
  /** Leads left pending because they could not be folded: the first STUCK_LISTED of them. */
  stuck: StuckLead[];
  /** How many leads were left pending that way. */
  stuckCount: number;
}

interface Cached<T> {
  value: T | undefined;
  updateTime: Timestamp | undefined;
}

/** A day as read: its documents' contents and update times (index 0: the day document). */
interface CachedDay {
  loaded: LoadedDay | undefined;
  times: Array<Timestamp | undefined>;
}

interface Pending {
  id: string;
  at: Timestamp;
  /** The lead's record as read (again after a failed batch). */
  record: DocumentSnapshot;
  /** The days its folded and current contributions count in. */
  days: number[];
  hours: number[];
}

export async function foldPending(store: RollupStore): Promise<FoldOutcome> {
  const outcome: FoldOutcome = {
    state: undefined,
    folded: 0,
    reads: { leads: 0, aggregates: 0 },
    stuck: [],
    stuckCount: 0,
  };
  const stuck = (id: string, reason: string) => {
    outcome.stuckCount += 1;
    if (outcome.stuck.length < STUCK_LISTED) outcome.stuck.push({ id, reason });
  };
  const markers: Array<{ id: string; at: Timestamp }> = [];
  for await (const doc of store.pending.stream() as AsyncIterable<DocumentSnapshot>) {
    markers.push({ id: doc.id, at: (doc.data() as PendingMarker).at });
  }
  outcome.reads.leads += markers.length;
  if (markers.length === 0) return outcome;

  const days = new Map<number, CachedDay>();
  let state: Cached<RollupState> = { value: undefined, updateTime: undefined };
  const readState = async () => {
    const snapshot = await store.state.get();
    outcome.reads.aggregates += 1;
    state = { value: stateOf(snapshot), updateTime: snapshot.updateTime };
    outcome.state = state.value;
  };
  await readState();
  let pending = await readRecords(store, markers, state.value?.gen ?? 0, outcome, stuck);
  // A backfill of a month of leads would otherwise rewrite every day document once per chunk.
  pending.sort((a, b) => (a.days[0] ?? -Infinity) - (b.days[0] ?? -Infinity));
  // Halves of a chunk Firestore refused, folded before the rest.
  const split: Pending[][] = [];
  for (;;) {
    let chunk = split.shift();
    if (!chunk) {
      if (pending.length === 0) break;
      chunk = nextChunk(pending);
      pending = pending.slice(chunk.length);
    }
    for (let attempt = 1; ; attempt++) {
      // A rebuild owns the aggregates until it switches over; the markers wait for it.
      if (state.value?.rebuild) return outcome;
      try {
        state = await foldChunk(store, chunk, state, days, outcome);
        outcome.state = state.value;
        break;
      } catch (error) {
        days.clear();
        await readState();
        if (isStaleWrite(error) && attempt < ATTEMPTS) {
          const again = await readRecords(store, chunk, state.value?.gen ?? 0, outcome, stuck);
          chunk.splice(0, chunk.length, ...again);
          if (chunk.length === 0) break;
          continue;
        }
        // Refused for what it holds (or racing without end): one lead must not hold back others.
        if (chunk.length > 1) {
          const half = Math.ceil(chunk.length / 2);
          split.unshift(chunk.slice(0, half), chunk.slice(half));
        } else {
          stuck(chunk[0].id, errorMessage(error));
        }
        break;
      }
    }
  }
  return outcome;
}

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

async function readRecords(
  store: RollupStore,
  markers: ReadonlyArray<{ id: string; at: Timestamp }>,
  gen: number,
  outcome: FoldOutcome,
  stuck: (id: string, reason: string) => void,
): Promise<Pending[]> {
  const pending: Pending[] = [];
  for (let i = 0; i < markers.length; i += 500) {
    const page = markers.slice(i, i + 500);
    const records = await store.db.getAll(...page.map((m) => store.records.doc(m.id)));
    outcome.reads.leads += records.length;
    records.forEach((record, j) => {
      let folded: Contribution | null;
      let current: Contribution | null;
      try {
        ({ folded, current } = contributions(record, gen));
      } catch (error) {
        stuck(page[j].id, `its rollup record cannot be read: ${errorMessage(error)}`);
        return;
      }
      const hours = [...new Set([bucketOf(current), bucketOf(folded)])].filter(
        (hour) => hour !== undefined,
      );
      const days = [...new Set(hours.map(dayOfHour))];
      pending.push({ ...page[j], record, days, hours });
    });
  }
  return pending;
}

function contributions(record: DocumentSnapshot, gen: number) {
  const data = recordOf(record);
  return { data, folded: foldedIn(data, gen), current: decodeOrNull(data?.current) };
}

/** The leads of the next batch: as many as fit, counting the days and hours they touch. */
function nextChunk(pending: readonly Pending[]): Pending[] {
  const days = new Set<number>();
  const hours = new Set<number>();
  let end = 0;
  while (end < pending.length) {
    const lead = pending[end];
    const more = [
      ...lead.days.filter((d) => !days.has(d)),
      ...lead.hours.filter((h) => !hours.has(h)),
    ];
    if (end > 0 && 2 * (end + 1) + days.size + hours.size + more.length + 1 > MAX_WRITES) break;
    lead.days.forEach((d) => days.add(d));
    lead.hours.forEach((h) => hours.add(h));
    end += 1;
  }
  return pending.slice(0, end);
}

/** Reads the days (and their shard documents) not read yet by this fold. */
async function readDays(
  store: RollupStore,
  gen: number,
  needed: readonly number[],
  days: Map<number, CachedDay>,
  outcome: FoldOutcome,
): Promise<void> {
  const missing = needed.filter((day) => !days.has(day));
  if (missing.length === 0) return;
  const read = await store.db.getAll(...missing.map((day) => store.day(gen, day)));
  outcome.reads.aggregates += read.length;
  const stored = read.map((snapshot) => dayOf(snapshot));
  const refs = shardRefs(store, gen, stored);
  const shards = refs.length ? await store.db.getAll(...refs) : [];
  outcome.reads.aggregates += shards.length;
  let next = 0;
  missing.forEach((day, i) => {
    const value = stored[i];
    if (!value) {
      days.set(day, { loaded: undefined, times: [] });
      return;
    }
    const own = shards.slice(next, next + (value.miner_shards ?? 0));
    next += own.length;
    days.set(day, {
      loaded: loadDay(
        value,
        own.map((s) => minerShardOf(s)),
      ),
      times: [read[i].updateTime, ...own.map((s) => s.updateTime)],
    });
  });
}

async function foldChunk(
  store: RollupStore,
  chunk: readonly Pending[],
  state: Cached<RollupState>,
  days: Map<number, CachedDay>,
  outcome: FoldOutcome,
): Promise<Cached<RollupState>> {
  const { db } = store;
  const gen = state.value?.gen ?? 0;
  // The days these leads touch, read once per fold (a chunk's writes update the cache).
  await readDays(store, gen, [...new Set(chunk.flatMap((lead) => lead.days))], days, outcome);

  const working = new Map<number, DayRollup>();
  const target = {
    totals: structuredClone(state.value?.totals ?? emptyTotals()),
    day(day: number) {
      let rollup = working.get(day);
      if (!rollup) {
        const stored = days.get(day)?.loaded?.rollup;
        rollup = stored ? structuredClone(stored) : emptyDay(day);
        working.set(day, rollup);
      }
      return rollup;
    },
  };
  // The miners each day's leads changed: only those are written.
  const touched = new Map<number, Set<string>>();
  const touch = (contribution: Contribution | null) => {
    const hour = bucketOf(contribution);
    if (hour === undefined || contribution?.kind !== 'counted') return;
    const day = dayOfHour(hour);
    let set = touched.get(day);
    if (!set) touched.set(day, (set = new Set()));
    set.add(contribution.curated_by).add(contribution.source);
  };

  const batch = db.batch();
  const hourLists = new HourListChanges();
  let observedFrom = state.value?.observed_from ?? null;
  let folded = 0;
  for (const lead of chunk) {
    batch.delete(store.pending.doc(lead.id));
    const { data, folded: before, current } = contributions(lead.record, gen);
    if (!data || !lead.record.updateTime) continue;
    if (observedFrom === null || lead.at.toMillis() < observedFrom.toMillis()) {
      observedFrom = lead.at;
    }
    if (data.gen === gen && data.folded === data.current) continue;
    applyContribution(target, lead.id, before, -1);
    applyContribution(target, lead.id, current, 1);
    touch(before);
    touch(current);
    hourLists.move(lead.id, before, current);
    batch.update(lead.record.ref, recordFolded(data.current, current, gen), {
      lastUpdateTime: lead.record.updateTime,
    });
    folded += 1;
  }

  // Each day document and shard written, in order, and what the cache holds once they are.
  const written: Array<{ day: number; shard: number }> = [];
  const after = new Map<number, LoadedDay>();
  for (const rollup of working.values()) {
    markOverflow(rollup);
    const cached = days.get(rollup.day);
    const { placement, shards } = placeMiners(
      rollup.miners,
      cached?.loaded?.placement ?? new Map(),
      cached?.loaded?.shards ?? 1,
    );
    const fields = Array.from({ length: shards }, () => ({}) as Record<string, unknown>);
    for (const hotkey of touched.get(rollup.day) ?? []) {
      const was = cached?.loaded?.placement.get(hotkey);
      const now = placement.get(hotkey);
      if (was !== undefined && was !== now) fields[was][`miners.${hotkey}`] = FieldValue.delete();
      if (now !== undefined) fields[now][`miners.${hotkey}`] = rollup.miners[hotkey];
    }
    const { day, skipped, first, last, overflow, samples } = rollup;
    const head = {
      ...{ day, skipped, first, last, overflow, samples },
      gen,
      through: null,
      miner_shards: shards - 1,
    };
    const dayRef = store.day(gen, rollup.day);
    const dayTime = cached?.times[0];
    if (dayTime) batch.update(dayRef, { ...head, ...fields[0] }, { lastUpdateTime: dayTime });
    else batch.create(dayRef, { ...head, miners: minersIn(rollup.miners, placement, 0) });
    written.push({ day: rollup.day, shard: 0 });
    for (let k = 1; k < shards; k++) {
      const ref = store.minerShard(gen, rollup.day, k);
      const time = cached?.times[k];
      if (time) {
        if (Object.keys(fields[k]).length === 0) continue;
        batch.update(ref, fields[k], { lastUpdateTime: time });
      } else {
        const shard: StoredMinerShard = {
          gen,
          day: rollup.day,
          shard: k,
          miners: minersIn(rollup.miners, placement, k),
        };
        batch.create(ref, shard);
      }
      written.push({ day: rollup.day, shard: k });
    }
    after.set(rollup.day, { rollup, placement, shards });
  }
  const hourWrites = hourLists.write(batch, store, gen, (day) => working.get(day));
  const next: RollupState = {
    gen,
    complete: state.value?.complete ?? false,
    observed_from: observedFrom,
    totals: target.totals,
    rebuild: null,
    rebuilt_at: state.value?.rebuilt_at ?? null,
  };
  if (state.updateTime)
    batch.update(store.state, { ...next }, { lastUpdateTime: state.updateTime });
  else batch.create(store.state, next);

  const results = await batch.commit();
  outcome.folded += folded;
  // The writes end with the days and their shards, the hour lists, then the state.
  const stateResult = results[results.length - 1];
  const dayResults = results.slice(results.length - 1 - hourWrites - written.length);
  for (const [day, loaded] of after) {
    const times = [...(days.get(day)?.times ?? [])];
    written.forEach(({ day: d, shard }, i) => {
      if (d === day) times[shard] = dayResults[i].writeTime;
    });
    days.set(day, { loaded, times });
  }
  return { value: next, updateTime: stateResult.writeTime };
}

/** What a record says once its current contribution is folded into generation `gen`. */
export function recordFolded(encoded: string | null, current: Contribution | null, gen: number) {
  return { folded: encoded, folded_micros: instantOf(current) ?? FieldValue.delete(), gen };
}
