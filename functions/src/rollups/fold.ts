/**
 * Folding: the leads whose contribution changed since the last fold (the pending markers) are
 * taken out of the aggregates as they were folded and put back as they are now. Scoring folds
 * before it reads, so each change is read once by one fold, not once per publish.
 *
 * A fold writes, in one batch per chunk of leads, their records, the markers it clears, the days
 * and the totals, each with a precondition on the version it read: if a trigger or another fold
 * wrote any of them meanwhile, the batch fails as a whole and the chunk is read again. So two
 * folds at once, or a fold racing the trigger, never count a change twice or lose one. Only one
 * writer touches the aggregates at a time in practice (the publisher, under its lease), so the
 * day documents see a few writes an hour, far below Firestore's one write per second and document.
 */
import { FieldValue, Timestamp, type DocumentSnapshot } from 'firebase-admin/firestore';
import {
  applyContribution,
  dayId,
  dayOfHour,
  emptyDay,
  emptyTotals,
  hourOf,
  type DayRollup,
} from './buckets';
import { instantOf } from './contribution';
import {
  dayOf,
  decodeOrNull,
  foldedIn,
  isStaleWrite,
  recordOf,
  stateOf,
  type RollupState,
  type RollupStore,
  type StoredDay,
} from './store';

/** Leads per batch: a record and a marker each, the days they touch and the state, within 500. */
const CHUNK = 150;
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

export async function foldPending(store: RollupStore): Promise<FoldOutcome> {
  const outcome: FoldOutcome = { state: undefined, folded: 0, reads: { leads: 0, aggregates: 0 } };
  const markers: Marker[] = [];
  for await (const doc of store.pending.stream() as AsyncIterable<DocumentSnapshot>) {
    markers.push({ id: doc.id, at: doc.get('at') as Timestamp, day: 0, record: undefined });
  }
  outcome.reads.leads += markers.length;
  if (markers.length === 0) return outcome;
  await sortByDay(store, markers, outcome);

  const days = new Map<string, Cached<StoredDay>>();
  let state: Cached<RollupState> = { value: undefined, updateTime: undefined };
  const readState = async () => {
    const snapshot = await store.state.get();
    outcome.reads.aggregates += 1;
    state = { value: stateOf(snapshot), updateTime: snapshot.updateTime };
    outcome.state = state.value;
  };
  await readState();
  for (let i = 0; i < markers.length; i += CHUNK) {
    for (let attempt = 1; ; attempt++) {
      // A rebuild owns the aggregates until it switches over; its own markers wait for it.
      if (state.value?.rebuild) return outcome;
      try {
        const chunk = markers.slice(i, i + CHUNK);
        // Records read for the order are used once; a retry reads them again.
        if (attempt > 1) for (const marker of chunk) marker.record = undefined;
        const written = await foldChunk(store, chunk, state, days, outcome);
        state = written;
        outcome.state = written.value;
        break;
      } catch (error) {
        if (!isStaleWrite(error) || attempt >= ATTEMPTS) throw error;
        days.clear();
        await readState();
      }
    }
  }
  return outcome;
}

interface Marker {
  id: string;
  at: Timestamp;
  /** The day the lead now counts in: chunks of one day rewrite one day document, not thirty. */
  day: number;
  /** The lead's record, when already read. */
  record: DocumentSnapshot | undefined;
}

/**
 * Orders the markers by the day their lead now counts in. A backfill of a month of leads would
 * otherwise rewrite every day document once per chunk. The records read here are folded as read
 * (their version is the precondition of the write).
 */
async function sortByDay(store: RollupStore, markers: Marker[], outcome: FoldOutcome) {
  if (markers.length <= CHUNK) return;
  for (let i = 0; i < markers.length; i += 500) {
    const page = markers.slice(i, i + 500);
    const records = await store.db.getAll(...page.map((m) => store.records.doc(m.id)));
    outcome.reads.leads += records.length;
    records.forEach((snapshot, j) => {
      page[j].record = snapshot;
      const micros = instantOf(decodeOrNull(recordOf(snapshot)?.current));
      page[j].day = micros === undefined ? -Infinity : dayOfHour(hourOf(micros));
    });
  }
  markers.sort((a, b) => a.day - b.day);
}

async function foldChunk(
  store: RollupStore,
  markers: readonly Marker[],
  state: Cached<RollupState>,
  days: Map<string, Cached<StoredDay>>,
  outcome: FoldOutcome,
): Promise<Cached<RollupState>> {
  const { db } = store;
  const unread = markers.filter((m) => m.record === undefined);
  if (unread.length > 0) {
    const read = await db.getAll(...unread.map((m) => store.records.doc(m.id)));
    outcome.reads.leads += read.length;
    read.forEach((snapshot, i) => (unread[i].record = snapshot));
  }
  const snapshots = markers.map((m) => m.record as DocumentSnapshot);
  const gen = state.value?.gen ?? 0;
  const records = snapshots.map((snapshot) => {
    const record = recordOf(snapshot);
    return {
      snapshot,
      record,
      folded: foldedIn(record, gen),
      current: decodeOrNull(record?.current),
    };
  });

  // The days these leads touch, read once per fold (a chunk's writes update the cache).
  const needed = new Set<number>();
  for (const { folded, current } of records) {
    for (const micros of [instantOf(folded), instantOf(current)]) {
      if (micros !== undefined && dayId(dayOfHour(hourOf(micros))) !== undefined) {
        needed.add(dayOfHour(hourOf(micros)));
      }
    }
  }
  const missing = [...needed].filter((day) => !days.has(store.day(gen, day).id));
  if (missing.length > 0) {
    const read = await db.getAll(...missing.map((day) => store.day(gen, day)));
    outcome.reads.aggregates += read.length;
    for (const snapshot of read) {
      days.set(snapshot.id, { value: dayOf(snapshot), updateTime: snapshot.updateTime });
    }
  }

  const working = new Map<number, DayRollup>();
  const totals = structuredClone(state.value?.totals ?? emptyTotals());
  const target = {
    totals,
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
  let observedFrom = state.value?.observed_from ?? null;
  let folded = 0;
  records.forEach(({ snapshot, record, folded: before, current }, i) => {
    const marker = markers[i];
    batch.delete(store.pending.doc(marker.id));
    if (!record || !snapshot.updateTime) return;
    if (observedFrom === null || marker.at.toMillis() < observedFrom.toMillis()) {
      observedFrom = marker.at;
    }
    if (record.gen === gen && record.folded === record.current) return;
    applyContribution(target, marker.id, before, -1);
    applyContribution(target, marker.id, current, 1);
    const micros = instantOf(current);
    batch.update(
      snapshot.ref,
      { folded: record.current, folded_micros: micros ?? FieldValue.delete(), gen },
      { lastUpdateTime: snapshot.updateTime },
    );
    folded += 1;
  });

  const dayWrites: Array<{ id: string; value: StoredDay }> = [];
  for (const rollup of working.values()) {
    const ref = store.day(gen, rollup.day);
    const value: StoredDay = { ...rollup, gen, through: null };
    const cached = days.get(ref.id);
    if (cached?.updateTime) batch.update(ref, { ...value }, { lastUpdateTime: cached.updateTime });
    else batch.create(ref, value);
    dayWrites.push({ id: ref.id, value });
  }
  const next: RollupState = {
    gen,
    complete: state.value?.complete ?? false,
    observed_from: observedFrom,
    totals,
    rebuild: null,
    rebuilt_at: state.value?.rebuilt_at ?? null,
  };
  if (state.updateTime)
    batch.update(store.state, { ...next }, { lastUpdateTime: state.updateTime });
  else batch.create(store.state, next);

  const results = await batch.commit();
  outcome.folded += folded;
  // The last writes are the days, then the state, in that order.
  const tail = results.slice(results.length - dayWrites.length - 1);
  dayWrites.forEach(({ id, value }, i) => days.set(id, { value, updateTime: tail[i].writeTime }));
  return { value: next, updateTime: tail[dayWrites.length].writeTime };
}
