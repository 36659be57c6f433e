/**
 * Where the rollups of a leads collection live, and their one owner: every read and write of
 * these documents goes through the types and converters here.
 *
 *   lead_rollups/{collection}                     the state: generation, totals, coverage, rebuild
 *   lead_rollups/{collection}/rollup_days/{id}    one per generation and UTC day (`g1-2026-11-22`)
 *   lead_rollups/{collection}/rollup_day_miners/{id}  a day's miners beyond the first MINERS_PER_DOC
 *                                                 (`g1-2026-11-22-m1`, `-m2`, …)
 *   lead_rollups/{collection}/rollup_hours/{id}   per generation and hour, its leads (`g1-2026-11-22T05`)
 *   lead_rollups/{collection}/rollup_leads/{id}   one per lead: what it contributes, what is folded
 *   lead_rollups/{collection}/rollup_pending/{id} leads whose contribution changed since the fold
 *
 * Generations: a rebuild writes a new generation of day documents beside the live one and switches
 * over when it is done, so scoring never reads half a rebuild. A lead's record says which
 * generation its folded contribution belongs to; for any other generation it contributes nothing.
 *
 * Capacity: every document here stays under Firestore's 1 MiB and every field path under 1,500
 * bytes whatever the leads hold. A day holds at most MINERS_PER_DOC miners; the rest go to shard
 * documents of MINERS_PER_DOC each, so a day of H distinct hotkeys is 1 + ⌈H / MINERS_PER_DOC⌉ − 1
 * documents. An hour list keys each lead by `hourKey` (the id itself when short and printable,
 * else a hash of it): at most 129 + 128 bytes per lead, HOUR_LIST_MAX leads.
 */
import { createHash } from 'node:crypto';
import {
  FieldValue,
  type CollectionReference,
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
  type Timestamp,
  type WriteBatch,
} from 'firebase-admin/firestore';
import {
  bucketOf,
  dayId,
  dayOfHour,
  HOURS_PER_DAY,
  type DayRollup,
  type RollupTotals,
} from './buckets';
import {
  decodeContribution,
  encodeContribution,
  type Contribution,
  type Version,
} from './contribution';

export const ROLLUPS_COLLECTION = 'lead_rollups';
export const DAYS = 'rollup_days';
export const LEAD_RECORDS = 'rollup_leads';
export const PENDING = 'rollup_pending';
export const HOURS = 'rollup_hours';
export const DAY_MINERS = 'rollup_day_miners';

/** Miners one day document (or one of its shard documents) holds: ≤ 451 bytes each, ~680 KB. */
export const MINERS_PER_DOC = 1500;
/** The longest lead id an hour list uses as its own key (printable ASCII); longer ones are hashed. */
export const HOUR_KEY_MAX = 128;

export interface RebuildState {
  gen: number;
  started_at: Timestamp;
  /** The last lead id scanned and written; the scan resumes after it. */
  after: string | null;
  scanned: number;
  totals: RollupTotals;
}

export interface RollupState {
  /** The generation scoring reads. 0 is the one the trigger builds before any rebuild. */
  gen: number;
  /** Every lead of the collection is folded into `gen` (a rebuild of it finished). */
  complete: boolean;
  /**
   * The earliest lead write the trigger observed: leads written since are all folded in, those
   * written before only once a rebuild has run.
   */
  observed_from: Timestamp | null;
  totals: RollupTotals;
  /** A rebuild under way: folding waits for it, and scoring reads the leads meanwhile. */
  rebuild: RebuildState | null;
  rebuilt_at: Timestamp | null;
}

export interface StoredDay extends DayRollup {
  gen: number;
  /** Set by a rebuild: leads after this id (in scan order) are not in the counts yet. */
  through: string | null;
  /**
   * Shard documents holding the day's miners beyond the MINERS_PER_DOC of `miners` (absent: 0).
   * Stored `miners` then holds only the first shard's.
   */
  miner_shards?: number;
}

/** Miners of a day beyond the day document's: shard `shard` (1, 2, …). */
export interface StoredMinerShard {
  gen: number;
  day: number;
  shard: number;
  miners: DayRollup['miners'];
}

/**
 * The leads of one hour, as folded: the window's edges are read from these, one document per edge
 * instead of a query per lead. Written with merges (a lead added or taken out), never read by a
 * writer.
 */
export interface StoredHour {
  gen: number;
  hour: number;
  /** Lead id → encoded contribution. */
  leads: Record<string, string>;
}

/** A lead's record: its latest contribution and the one folded into the aggregates. */
export interface LeadRecord {
  /** Encoded contribution of the lead's latest version; null once it is deleted. */
  current: string | null;
  version: Timestamp;
  deleted: boolean;
  /** Encoded contribution folded into generation `gen`; null for none. */
  folded: string | null;
  /** The instant of `folded`, queried for the window's edges; absent when it has none. */
  folded_micros?: number;
  gen: number | null;
  /** Deleted leads keep a record while a late event could still arrive (TTL policy). */
  expire_at?: Timestamp;
}

export interface PendingMarker {
  /** Time of the write observed. */
  at: Timestamp;
}

export class RollupStore {
  readonly state: DocumentReference;
  readonly days: CollectionReference;
  readonly records: CollectionReference;
  readonly pending: CollectionReference;
  readonly hours: CollectionReference;
  readonly dayMiners: CollectionReference;

  constructor(
    readonly db: Firestore,
    readonly collection: string,
  ) {
    this.state = db.collection(ROLLUPS_COLLECTION).doc(collection);
    this.days = this.state.collection(DAYS);
    this.records = this.state.collection(LEAD_RECORDS);
    this.pending = this.state.collection(PENDING);
    this.hours = this.state.collection(HOURS);
    this.dayMiners = this.state.collection(DAY_MINERS);
  }

  day(gen: number, day: number): DocumentReference {
    const id = dayId(day);
    if (id === undefined) throw new Error(`day ${day} has no date`);
    return this.days.doc(`g${gen}-${id}`);
  }

  /** Shard `shard` (≥ 1) of a day's miners. */
  minerShard(gen: number, day: number, shard: number): DocumentReference {
    return this.dayMiners.doc(`${this.day(gen, day).id}-m${shard}`);
  }

  hour(gen: number, hour: number): DocumentReference {
    const day = Math.floor(hour / 24);
    const id = dayId(day);
    if (id === undefined) throw new Error(`hour ${hour} has no date`);
    return this.hours.doc(`g${gen}-${id}T${String(hour - day * 24).padStart(2, '0')}`);
  }
}

export function stateOf(snapshot: DocumentSnapshot): RollupState | undefined {
  return snapshot.exists ? (snapshot.data() as RollupState) : undefined;
}

export function dayOf(snapshot: DocumentSnapshot): StoredDay | undefined {
  return snapshot.exists ? (snapshot.data() as StoredDay) : undefined;
}

export function minerShardOf(snapshot: DocumentSnapshot): StoredMinerShard | undefined {
  return snapshot.exists ? (snapshot.data() as StoredMinerShard) : undefined;
}

/**
 * The key of a lead in an hour list: its id when that is short printable ASCII (the keys lists
 * have always had), otherwise `#` and the SHA-256 of its UTF-8 bytes (base64url). A key is at
 * most 128 bytes, so the field path stays far under Firestore's 1,500 bytes and the list's size
 * is bounded per lead; control or non-ASCII characters never reach a field path. The list's
 * readers need only the contribution, never the id.
 */
export function hourKey(id: string): string {
  if (id.length <= HOUR_KEY_MAX && /^[\x20-\x5f\x61-\x7e]+$/.test(id) && !id.startsWith('#')) {
    return id;
  }
  return `#${createHash('sha256').update(id, 'utf8').digest('base64url')}`;
}

/** Whether an id could have been a list's key before `hourKey` (its field path under 1,500 bytes). */
function legacyKeyWritable(id: string): boolean {
  return Buffer.byteLength(id, 'utf8') + 16 < 1500;
}

export function hourListOf(snapshot: DocumentSnapshot): StoredHour | undefined {
  return snapshot.exists ? (snapshot.data() as StoredHour) : undefined;
}

export function recordOf(snapshot: DocumentSnapshot): LeadRecord | undefined {
  return snapshot.exists ? (snapshot.data() as LeadRecord) : undefined;
}

export function versionOf(record: LeadRecord): Version {
  return { time: record.version, deleted: record.deleted };
}

/** What the record's lead contributes to generation `gen` as folded. */
export function foldedIn(record: LeadRecord | undefined, gen: number): Contribution | null {
  return record?.folded && record.gen === gen ? decodeContribution(record.folded) : null;
}

export function decodeOrNull(text: string | null | undefined): Contribution | null {
  return text ? decodeContribution(text) : null;
}

/** A day as its documents hold it: every miner in `rollup.miners`, and which document holds each. */
export interface LoadedDay {
  rollup: DayRollup;
  /** Hotkey → the document holding it: 0 for the day document, k for shard k. */
  placement: Map<string, number>;
  /** Documents the day has (the day document and its shards). */
  shards: number;
}

/** The shard documents of these days, in order (days that have none, or no document, add none). */
export function shardRefs(
  store: RollupStore,
  gen: number,
  days: ReadonlyArray<StoredDay | undefined>,
): DocumentReference[] {
  return days.flatMap((stored) =>
    stored
      ? Array.from({ length: stored.miner_shards ?? 0 }, (_, k) =>
          store.minerShard(gen, stored.day, k + 1),
        )
      : [],
  );
}

/** The day from its document and its shard documents (missing ones hold nothing). */
export function loadDay(
  stored: StoredDay,
  shards: ReadonlyArray<StoredMinerShard | undefined>,
): LoadedDay {
  const { day, skipped, first, last, overflow, samples } = stored;
  const extra = stored.miner_shards ?? 0;
  const rollup: DayRollup = {
    day,
    miners: { ...stored.miners },
    skipped,
    first,
    last,
    overflow,
    samples,
  };
  const placement = new Map<string, number>(Object.keys(stored.miners).map((h) => [h, 0]));
  shards.forEach((shard, i) => {
    for (const [hotkey, counts] of Object.entries(shard?.miners ?? {})) {
      rollup.miners[hotkey] = counts;
      placement.set(hotkey, i + 1);
    }
  });
  return { rollup, placement, shards: 1 + extra };
}

/**
 * Where each miner of `miners` is stored: where it was (`placement`), or, for a new one, in the
 * first document with room, a new shard when none has. No miner is ever left out, whoever else
 * writes leads that day: a day of H distinct hotkeys takes ⌈H / MINERS_PER_DOC⌉ documents.
 */
export function placeMiners(
  miners: Readonly<Record<string, unknown>>,
  placement: ReadonlyMap<string, number>,
  shards: number,
): { placement: Map<string, number>; shards: number } {
  const counts = Array<number>(Math.max(shards, 1)).fill(0);
  const placed = new Map<string, number>();
  const fresh: string[] = [];
  for (const hotkey of Object.keys(miners)) {
    const at = placement.get(hotkey);
    if (at === undefined || at >= counts.length) fresh.push(hotkey);
    else {
      placed.set(hotkey, at);
      counts[at] += 1;
    }
  }
  let cursor = 0;
  for (const hotkey of fresh.sort()) {
    while (cursor < counts.length && counts[cursor] >= MINERS_PER_DOC) cursor += 1;
    if (cursor === counts.length) counts.push(0);
    placed.set(hotkey, cursor);
    counts[cursor] += 1;
  }
  return { placement: placed, shards: counts.length };
}

/** The miners of `miners` stored in document `shard`. */
export function minersIn(
  miners: DayRollup['miners'],
  placement: ReadonlyMap<string, number>,
  shard: number,
): DayRollup['miners'] {
  return Object.fromEntries(Object.entries(miners).filter(([h]) => placement.get(h) === shard));
}

/**
 * About how many bytes Firestore counts for a value (its storage size rules: strings their UTF-8
 * bytes + 1, numbers 8, map keys their bytes + 1), to keep batches and documents within limits.
 */
export function storedBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8') + 1;
  if (typeof value === 'number') return 8;
  if (value === null || typeof value === 'boolean' || value === undefined) return 1;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + storedBytes(v), 0);
  if (typeof value === 'object') {
    if (value instanceof FieldValue) return 8;
    if ('toMillis' in value) return 8;
    let bytes = 0;
    for (const [key, v] of Object.entries(value))
      bytes += Buffer.byteLength(key, 'utf8') + 1 + storedBytes(v);
    return bytes;
  }
  return 8;
}

/** Firestore refuses a write whose precondition no longer holds; the caller reads again. */
export function isStaleWrite(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  // FAILED_PRECONDITION, ALREADY_EXISTS, NOT_FOUND, ABORTED.
  return code === 9 || code === 6 || code === 5 || code === 10;
}

/**
 * Changes to the hour lists, gathered per hour and written as merges: a lead is added to the
 * list of the hour it now counts in and taken out of the one it counted in before, without
 * reading either (only folds and rebuilds write them, in the batch of the records they follow).
 */
export class HourListChanges {
  private readonly byHour = new Map<number, Record<string, string | FieldValue>>();

  move(id: string, before: Contribution | null, after: Contribution | null): void {
    const from = bucketOf(before);
    const to = bucketOf(after);
    const key = hourKey(id);
    if (from !== undefined && from !== to) this.entries(from)[key] = FieldValue.delete();
    if (to !== undefined && after !== null) this.entries(to)[key] = encodeContribution(after);
    // Lists written before `hourKey` keyed every lead by its id: such an entry goes wherever the
    // lead moves, so that it never counts beside the new one.
    if (key !== id && legacyKeyWritable(id)) {
      for (const hour of new Set([from, to])) {
        if (hour !== undefined) this.entries(hour)[id] = FieldValue.delete();
      }
    }
  }

  /** Hour lists to write. */
  get size(): number {
    return this.byHour.size;
  }

  /**
   * Adds the writes to `batch`, leaving out hours whose day marks them overflowed; returns how
   * many it added.
   */
  write(
    batch: WriteBatch,
    store: RollupStore,
    gen: number,
    days: (day: number) => DayRollup | undefined,
  ): number {
    let writes = 0;
    for (const [hour, leads] of this.byHour) {
      const day = dayOfHour(hour);
      if (days(day)?.overflow[hour - day * HOURS_PER_DAY]) continue;
      batch.set(store.hour(gen, hour), { gen, hour, leads }, { merge: true });
      writes += 1;
    }
    return writes;
  }

  /**
   * Writes them all, in batches of their own (a rebuild's checkpoint), and forgets them. A batch
   * holds at most 400 hours and about 2 MB of entries: a request is limited to 10 MiB (the
   * emulator's to 4 MiB), and a checkpoint carries tens of thousands of leads.
   */
  async commit(
    store: RollupStore,
    gen: number,
    days: (day: number) => DayRollup | undefined,
  ): Promise<void> {
    let part = new HourListChanges();
    let bytes = 0;
    const flush = async () => {
      const batch = store.db.batch();
      if (part.write(batch, store, gen, days) > 0) await batch.commit();
      part = new HourListChanges();
      bytes = 0;
    };
    for (const [hour, leads] of this.byHour) {
      part.byHour.set(hour, leads);
      for (const [id, value] of Object.entries(leads)) {
        bytes += id.length + (typeof value === 'string' ? value.length : 0) + 16;
      }
      if (part.size >= 400 || bytes >= 2_000_000) await flush();
    }
    await flush();
    this.byHour.clear();
  }

  private entries(hour: number): Record<string, string | FieldValue> {
    let entries = this.byHour.get(hour);
    if (!entries) this.byHour.set(hour, (entries = {}));
    return entries;
  }
}
