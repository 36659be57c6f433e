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
  recordOf,
  stateOf,
  type PendingMarker,
  type RollupState,
  type RollupStore,
  type StoredDay,
} from './store';

/** Writes per batch: under Firestore's 500, with room for the state. */
const MAX_WRITES = 450;
const ATTEMPTS = 8;

export interface FoldOutcome {
  /** The state as this fold left it; undefined when nothing was pending (it was not read). */
  state: RollupState | undefined;
  /** Leads whose folded contribution changed. */
  folded: number;
  /** Documents read: markers and lead records, and aggregates (state and days). */
  reads: { leads: number; aggregates: number };
}

interface Cached<T> {
  value: T | undefined;
  updateTime: Timestamp | undefined;
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
  const outcome: FoldOutcome = { state: undefined, folded: 0, reads: { leads: 0, aggregates: 0 } };
  const markers: Array<{ id: string; at: Timestamp }> = [];
  for await (const doc of store.pending.stream() as AsyncIterable<DocumentSnapshot>) {
    markers.push({ id: doc.id, at: (doc.data() as PendingMarker).at });
  }
  outcome.reads.leads += markers.length;
  if (markers.length === 0) return outcome;

  const days = new Map<string, Cached<StoredDay>>();
  let state: Cached<RollupState> = { value: undefined, updateTime: undefined };
  const readState = async () => {
    const snapshot = await store.state.get();
    outcome.reads.aggregates += 1;
    state = { value: stateOf(snapshot), updateTime: snapshot.updateTime };
    outcome.state = state.value;
  };
  await readState();
  let pending = await readRecords(store, markers, state.value?.gen ?? 0, outcome);
  // A backfill of a month of leads would otherwise rewrite every day document once per chunk.
  pending.sort((a, b) => (a.days[0] ?? -Infinity) - (b.days[0] ?? -Infinity));
  while (pending.length > 0) {
    const chunk = nextChunk(pending);
    for (let attempt = 1; ; attempt++) {
      // A rebuild owns the aggregates until it switches over; the markers wait for it.
      if (state.value?.rebuild) return outcome;
      try {
        state = await foldChunk(store, chunk, state, days, outcome);
        outcome.state = state.value;
        break;
      } catch (error) {
        if (!isStaleWrite(error) || attempt >= ATTEMPTS) throw error;
        days.clear();
        await readState();
        const again = await readRecords(store, chunk, state.value?.gen ?? 0, outcome);
        chunk.splice(0, chunk.length, ...again);
      }
    }
    pending = pending.slice(chunk.length);
  }
  return outcome;
}

async function readRecords(
  store: RollupStore,
  markers: ReadonlyArray<{ id: string; at: Timestamp }>,
  gen: number,
  outcome: FoldOutcome,
): Promise<Pending[]> {
  const pending: Pending[] = [];
  for (let i = 0; i < markers.length; i += 500) {
    const page = markers.slice(i, i + 500);
    const records = await store.db.getAll(...page.map((m) => store.records.doc(m.id)));
    outcome.reads.leads += records.length;
    records.forEach((record, j) => {
      const { folded, current } = contributions(record, gen);
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

async function foldChunk(
  store: RollupStore,
  chunk: readonly Pending[],
  state: Cached<RollupState>,
  days: Map<string, Cached<StoredDay>>,
  outcome: FoldOutcome,
): Promise<Cached<RollupState>> {
  const { db } = store;
  const gen = state.value?.gen ?? 0;
  // The days these leads touch, read once per fold (a chunk's writes update the cache).
  const needed = [...new Set(chunk.flatMap((lead) => lead.days))];
  const missing = needed.filter((day) => !days.has(store.day(gen, day).id));
  if (missing.length > 0) {
    const read = await db.getAll(...missing.map((day) => store.day(gen, day)));
    outcome.reads.aggregates += read.length;
    for (const snapshot of read) {
      days.set(snapshot.id, { value: dayOf(snapshot), updateTime: snapshot.updateTime });
    }
  }

  const working = new Map<number, DayRollup>();
  const target = {
    totals: structuredClone(state.value?.totals ?? emptyTotals()),
    day(day: number) {
      let rollup = working.get(day);
      if (!rollup) {
        const stored = days.get(store.day(gen, day).id)?.value;
        rollup = stored ? structuredClone(stored) : emptyDay(day);
        working.set(day, rollup);
      }
      return rollup;
    },
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
    hourLists.move(lead.id, before, current);
    batch.update(lead.record.ref, recordFolded(data.current, current, gen), {
      lastUpdateTime: lead.record.updateTime,
    });
    folded += 1;
  }

  const dayWrites: Array<{ id: string; value: StoredDay }> = [];
  for (const rollup of working.values()) {
    markOverflow(rollup);
    const ref = store.day(gen, rollup.day);
    const value: StoredDay = { ...rollup, gen, through: null };
    const cached = days.get(ref.id);
    if (cached?.updateTime) batch.update(ref, { ...value }, { lastUpdateTime: cached.updateTime });
    else batch.create(ref, value);
    dayWrites.push({ id: ref.id, value });
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
  // The writes end with the days, the hour lists, then the state.
  const stateResult = results[results.length - 1];
  const dayResults = results.slice(results.length - 1 - hourWrites - dayWrites.length);
  dayWrites.forEach(({ id, value }, i) =>
    days.set(id, { value, updateTime: dayResults[i].writeTime }),
  );
  return { value: next, updateTime: stateResult.writeTime };
}

/** What a record says once its current contribution is folded into generation `gen`. */
export function recordFolded(encoded: string | null, current: Contribution | null, gen: number) {
  return { folded: encoded, folded_micros: instantOf(current) ?? FieldValue.delete(), gen };
}
