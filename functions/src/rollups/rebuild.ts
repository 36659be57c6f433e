/**
 * Rebuild: the rollups from every lead of the collection, for the leads written before the
 * trigger ran (or after a `rollups check` found a difference).
 *
 * A rebuild writes a new generation beside the live one: it streams the leads in id order, reads
 * their records, stamps each record with what the lead contributes to the new generation, and adds
 * that to the new generation's days in memory. Folding waits while it runs (the trigger still
 * records every write, with a marker); scoring reads the leads meanwhile. At the end it switches
 * the state to the new generation in one write, and the fold takes up the writes that came in.
 *
 * It is resumable: every CHECKPOINT_LEADS leads it saves the days it changed, each marked with the
 * last lead id it holds (`through`), then the cursor and totals in the state. Run again, it reads
 * those back and goes on after the cursor; a lead is added to a day only if the day does not hold
 * it yet, so a crash between the two writes counts nothing twice.
 *
 * A record written by the trigger after the lead was streamed is newer than the stream: its
 * contribution wins. Every record write has a precondition, so a trigger racing the rebuild makes
 * the chunk read its records again rather than overwrite them.
 */
import {
  FieldPath,
  Timestamp,
  type DocumentReference,
  type DocumentSnapshot,
  type Query,
  type QueryDocumentSnapshot,
} from 'firebase-admin/firestore';
import { CREATED_AT } from '../leads/window';
import { recordFolded } from './fold';
import {
  applyContribution,
  dayId,
  dayOfHour,
  emptyDay,
  emptyTotals,
  hourOf,
  markOverflow,
  type DayRollup,
  type RollupTotals,
} from './buckets';
import {
  cachedCanonical,
  compareVersions,
  contributionOf,
  decodeContribution,
  encodeContribution,
  HOTKEY_FIELDS,
  instantOf,
  type Canonical,
  type Contribution,
} from './contribution';
import {
  dayOf,
  decodeOrNull,
  HourListChanges,
  isStaleWrite,
  loadDay,
  minersIn,
  minerShardOf,
  placeMiners,
  recordOf,
  stateOf,
  storedBytes,
  versionOf,
  type StoredMinerShard,
  type LeadRecord,
  type RebuildState,
  type RollupState,
  type RollupStore,
  type StoredDay,
} from './store';

/** Leads per batch (one record write each). */
const CHUNK = 400;
/** Batches in flight: the emulator and Firestore both take several at once. */
const IN_FLIGHT = 4;
const CHECKPOINT_LEADS = 50_000;
const ATTEMPTS = 8;
/** Bytes of day documents per batch: a request is limited to 10 MiB (the emulator's to 4 MiB). */
const BATCH_BYTES = 2_000_000;

/** What a rebuild could not write, named: the lead or the document, and Firestore's reason. */
export class RebuildError extends Error {
  constructor(
    readonly what: string,
    reason: string,
  ) {
    super(`rollups rebuild stopped at ${what}: ${reason}`);
    this.name = 'RebuildError';
  }
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export interface RebuildProgress {
  scanned: number;
  /** Leads in the collection when the rebuild started (an aggregation query). */
  total: number;
}

export interface RebuildOptions {
  /** Start a new generation even if a rebuild was interrupted. */
  restart?: boolean;
  onProgress?: (progress: RebuildProgress) => void;
  /** Stop after this many leads (tests of resuming); the rebuild stays under way. */
  stopAfter?: number;
}

export interface RebuildOutcome {
  gen: number;
  resumed: boolean;
  /** Leads scanned by this run (not counting those before a resumed cursor). */
  scanned: number;
  /** Whether the trigger had observed any write before the rebuild. */
  triggerSeen: boolean;
  finished: boolean;
}

interface DayState {
  rollup: DayRollup;
  /** The last lead id the stored day holds (resumed days only). */
  through: string | null;
  changed: boolean;
}

export async function rebuildRollups(
  store: RollupStore,
  canonicalHotkey: Canonical,
  options: RebuildOptions = {},
): Promise<RebuildOutcome> {
  const canonical = cachedCanonical(canonicalHotkey);
  const { db } = store;
  const leads = db.collection(store.collection);
  let snapshot = await store.state.get();
  const previous = stateOf(snapshot);
  const resumed = Boolean(previous?.rebuild) && !options.restart;
  const triggerSeen =
    Boolean(previous?.observed_from) || !(await store.pending.limit(1).get()).empty;
  let state: RollupState & { rebuild: RebuildState };
  if (previous?.rebuild && resumed) {
    state = { ...previous, rebuild: previous.rebuild };
  } else {
    const gen = Math.max(previous?.gen ?? 0, previous?.rebuild?.gen ?? 0) + 1;
    state = {
      gen: previous?.gen ?? 0,
      complete: previous?.complete ?? false,
      observed_from: previous?.observed_from ?? null,
      totals: previous?.totals ?? emptyTotals(),
      rebuilt_at: previous?.rebuilt_at ?? null,
      rebuild: { gen, started_at: Timestamp.now(), after: null, scanned: 0, totals: emptyTotals() },
    };
    await (snapshot.exists
      ? store.state.update({ ...state }, { lastUpdateTime: snapshot.updateTime })
      : store.state.create(state));
    snapshot = await store.state.get();
  }
  const { rebuild } = state;
  const gen = rebuild.gen;
  const totals: RollupTotals = structuredClone(rebuild.totals);
  const days = new Map<number, DayState>();
  if (resumed) {
    const shards = new Map<number, Array<StoredMinerShard | undefined>>();
    for (const doc of (await store.dayMiners.where('gen', '==', gen).get()).docs) {
      const shard = minerShardOf(doc);
      if (!shard) continue;
      const list = shards.get(shard.day) ?? [];
      list[shard.shard - 1] = shard;
      shards.set(shard.day, list);
    }
    for (const doc of (await store.days.where('gen', '==', gen).get()).docs) {
      const stored = dayOf(doc);
      if (!stored) continue;
      const own = (shards.get(stored.day) ?? []).slice(0, stored.miner_shards ?? 0);
      const { rollup } = loadDay(stored, own);
      days.set(stored.day, { rollup, through: stored.through, changed: false });
    }
  }
  const total = (await leads.count().get()).data().count;

  const target = {
    totals,
    day(day: number) {
      let entry = days.get(day);
      if (!entry) days.set(day, (entry = { rollup: emptyDay(day), through: null, changed: false }));
      entry.changed = true;
      return entry.rollup;
    },
  };
  // Adds a lead to the new generation, unless a day saved before a crash holds it already.
  // Adds a lead to the new generation. A day saved before an interruption may hold the lead
  // already, as this rebuild stamped it then: that is taken out of the day first (the totals are
  // saved with the cursor, so they never hold a lead after it).
  const hourLists = new HourListChanges();
  const fold = ({ id, contribution, stamped }: Stamped) => {
    hourLists.move(id, stamped, contribution);
    const micros = instantOf(stamped);
    if (micros !== undefined && dayId(dayOfHour(hourOf(micros))) !== undefined) {
      const through = days.get(dayOfHour(hourOf(micros)))?.through;
      if (through != null && id <= through) {
        applyContribution({ day: target.day, totals: emptyTotals() }, id, stamped, -1);
      }
    }
    applyContribution(target, id, contribution, 1);
  };

  let after = rebuild.after;
  let scanned = rebuild.scanned;
  let scannedNow = 0;
  let sinceCheckpoint = 0;
  const checkpoint = async (finished: boolean) => {
    const changed = [...days.values()].filter((entry) => entry.changed);
    for (const entry of changed) markOverflow(entry.rollup);
    try {
      await hourLists.commit(store, gen, (day) => days.get(day)?.rollup);
    } catch (error) {
      throw new RebuildError(
        `the hour lists of the leads up to ${JSON.stringify(after)}`,
        reasonOf(error),
      );
    }
    // Each changed day whole: its document and its shard documents (miners placed afresh).
    const writes: Array<{ ref: DocumentReference; data: object }> = [];
    for (const entry of changed) {
      const { miners, ...rest } = entry.rollup;
      const { placement, shards } = placeMiners(miners, new Map(), 1);
      const stored: StoredDay = {
        ...rest,
        miners: minersIn(miners, placement, 0),
        gen,
        through: after,
        miner_shards: shards - 1,
      };
      writes.push({ ref: store.day(gen, rest.day), data: stored });
      for (let k = 1; k < shards; k++) {
        const shard: StoredMinerShard = {
          gen,
          day: rest.day,
          shard: k,
          miners: minersIn(miners, placement, k),
        };
        writes.push({ ref: store.minerShard(gen, rest.day, k), data: shard });
      }
      entry.changed = false;
      entry.through = after;
    }
    let batch = db.batch();
    let inBatch: typeof writes = [];
    let bytes = 0;
    const flush = async () => {
      if (inBatch.length === 0) return;
      try {
        await batch.commit();
      } catch (error) {
        const ids = inBatch.map(({ ref }) => ref.id);
        throw new RebuildError(`day documents ${ids.join(', ')}`, reasonOf(error));
      }
      batch = db.batch();
      inBatch = [];
      bytes = 0;
    };
    for (const write of writes) {
      const size = storedBytes(write.data);
      if (inBatch.length > 0 && (inBatch.length >= CHUNK || bytes + size > BATCH_BYTES))
        await flush();
      batch.set(write.ref, write.data);
      inBatch.push(write);
      bytes += size;
    }
    await flush();
    const next: RollupState = finished
      ? {
          gen,
          complete: true,
          observed_from: state.observed_from,
          totals,
          rebuild: null,
          rebuilt_at: Timestamp.now(),
        }
      : { ...state, rebuild: { ...rebuild, after, scanned, totals } };
    // The precondition stops a second rebuild of the same generation from mixing its counts in.
    await store.state.update({ ...next }, { lastUpdateTime: snapshot.updateTime });
    snapshot = await store.state.get();
    sinceCheckpoint = 0;
  };

  // Chunks are written concurrently but folded in order, so the cursor always has every lead
  // before it in the days.
  const inFlight: Array<Promise<Stamped[]>> = [];
  const settle = async () => {
    const done = (await inFlight.shift()) ?? [];
    for (const lead of done) fold(lead);
    if (done.length > 0) after = done[done.length - 1].id;
    scanned += done.length;
    scannedNow += done.length;
    sinceCheckpoint += done.length;
    options.onProgress?.({ scanned, total });
    if (sinceCheckpoint >= CHECKPOINT_LEADS) await checkpoint(false);
  };

  // The records are streamed beside the leads, in the same order, rather than looked up: before
  // the first rebuild only the leads the trigger saw have one, and a stream reads only those.
  const byId = (query: Query) =>
    (after === null ? query : query.startAfter(after))
      .stream()
      [Symbol.asyncIterator]() as AsyncIterator<QueryDocumentSnapshot>;
  const records = byId(store.records.orderBy(FieldPath.documentId()));
  let record = await records.next();
  const recordFor = async (id: string) => {
    while (!record.done && record.value.id < id) record = await records.next();
    return !record.done && record.value.id === id ? record.value : undefined;
  };
  let chunk: Array<{ lead: QueryDocumentSnapshot; record: QueryDocumentSnapshot | undefined }> = [];
  let query = leads.orderBy(FieldPath.documentId()).select(CREATED_AT, ...HOTKEY_FIELDS);
  // A stream left unread keeps the client from closing: stopping early is a shorter query.
  if (options.stopAfter !== undefined) query = query.limit(options.stopAfter);
  let streamed = 0;
  const leadStream = byId(query);
  for (let lead = await leadStream.next(); !lead.done; lead = await leadStream.next()) {
    streamed += 1;
    chunk.push({ lead: lead.value, record: await recordFor(lead.value.id) });
    if (chunk.length === CHUNK) {
      inFlight.push(writeChunk(store, gen, chunk, canonical));
      chunk = [];
      if (inFlight.length >= IN_FLIGHT) await settle();
    }
  }
  if (chunk.length > 0) inFlight.push(writeChunk(store, gen, chunk, canonical));
  while (inFlight.length > 0) await settle();
  while (!record.done) record = await records.next();
  const stopped = options.stopAfter !== undefined && streamed >= options.stopAfter;
  await checkpoint(!stopped);
  if (!stopped) await dropGenerationsBefore(store, gen);
  return { gen, resumed, scanned: scannedNow, triggerSeen, finished: !stopped };
}

/** A lead as stamped: its contribution now, and what this rebuild had stamped it with before. */
interface Stamped {
  id: string;
  contribution: Contribution | null;
  stamped: Contribution | null;
}

/** Stamps the chunk's records with their contribution to generation `gen`; returns them in order. */
async function writeChunk(
  store: RollupStore,
  gen: number,
  chunk: ReadonlyArray<{ lead: QueryDocumentSnapshot; record: DocumentSnapshot | undefined }>,
  canonical: Canonical,
): Promise<Stamped[]> {
  let records = chunk.map(({ record }) => record);
  for (let attempt = 1; ; attempt++) {
    const batch = store.db.batch();
    const folded = chunk.map(({ lead }, i) => {
      const snapshot = records[i];
      const record = snapshot && recordOf(snapshot);
      const fromLead = { time: lead.updateTime, deleted: false };
      // The trigger saw a later write than the stream did: its contribution is the lead's.
      const newer = record && compareVersions(versionOf(record), fromLead) > 0;
      const current = newer
        ? record.current
        : encodeContribution(contributionOf(lead.data(), canonical));
      const contribution = current === null ? null : decodeContribution(current);
      const stamped = record?.gen === gen ? decodeOrNull(record.folded) : null;
      if (record?.gen === gen && record.folded === current && record.current === current) {
        return { id: lead.id, contribution, stamped };
      }
      const update = {
        ...recordFolded(current, contribution, gen),
        ...(newer ? {} : { current, version: lead.updateTime, deleted: false }),
      };
      if (record && snapshot?.updateTime) {
        batch.update(snapshot.ref, update, { lastUpdateTime: snapshot.updateTime });
      } else {
        const created: LeadRecord = {
          current,
          version: lead.updateTime,
          deleted: false,
          folded: current,
          gen,
        };
        const micros = instantOf(contribution);
        if (micros !== undefined) created.folded_micros = micros;
        batch.create(store.records.doc(lead.id), created);
      }
      return { id: lead.id, contribution, stamped };
    });
    try {
      await batch.commit();
      return folded;
    } catch (error) {
      if (!isStaleWrite(error) || attempt >= ATTEMPTS) {
        const ids = chunk.map(({ lead }) => lead.id);
        const what =
          ids.length === 1
            ? `lead ${JSON.stringify(ids[0])}`
            : `leads ${JSON.stringify(ids[0])} to ${JSON.stringify(ids[ids.length - 1])}`;
        throw new RebuildError(what, reasonOf(error));
      }
      // A trigger wrote a record since the stream read it: read them again.
      records = await store.db.getAll(...chunk.map(({ lead }) => store.records.doc(lead.id)));
    }
  }
}

/** Days and hour lists of earlier generations are no longer read: delete them. */
async function dropGenerationsBefore(store: RollupStore, gen: number): Promise<void> {
  for (const collection of [store.days, store.dayMiners, store.hours]) {
    const old = await collection.where('gen', '<', gen).select().get();
    for (let i = 0; i < old.docs.length; i += CHUNK) {
      const batch = store.db.batch();
      for (const doc of old.docs.slice(i, i + CHUNK)) batch.delete(doc.ref);
      await batch.commit();
    }
  }
}
