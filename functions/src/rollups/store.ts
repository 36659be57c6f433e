/**
 * Where the rollups of a leads collection live, and their one owner: every read and write of
 * these documents goes through the types and converters here.
 *
 *   lead_rollups/{collection}                     the state: generation, totals, coverage, rebuild
 *   lead_rollups/{collection}/rollup_days/{id}    one per generation and UTC day (`g1-2026-11-22`)
 *   lead_rollups/{collection}/rollup_hours/{id}   per generation and hour, its leads (`g1-2026-11-22T05`)
 *   lead_rollups/{collection}/rollup_leads/{id}   one per lead: what it contributes, what is folded
 *   lead_rollups/{collection}/rollup_pending/{id} leads whose contribution changed since the fold
 *
 * Generations: a rebuild writes a new generation of day documents beside the live one and switches
 * over when it is done, so scoring never reads half a rebuild. A lead's record says which
 * generation its folded contribution belongs to; for any other generation it contributes nothing.
 */
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

  constructor(
    readonly db: Firestore,
    readonly collection: string,
  ) {
    this.state = db.collection(ROLLUPS_COLLECTION).doc(collection);
    this.days = this.state.collection(DAYS);
    this.records = this.state.collection(LEAD_RECORDS);
    this.pending = this.state.collection(PENDING);
    this.hours = this.state.collection(HOURS);
  }

  day(gen: number, day: number): DocumentReference {
    const id = dayId(day);
    if (id === undefined) throw new Error(`day ${day} has no date`);
    return this.days.doc(`g${gen}-${id}`);
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
    if (from !== undefined && from !== to) this.entries(from)[id] = FieldValue.delete();
    if (to !== undefined && after !== null) this.entries(to)[id] = encodeContribution(after);
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
