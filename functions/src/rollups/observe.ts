/**
 * The trigger's part: record what a lead now contributes, once per write, whatever the delivery.
 *
 * Each lead has its own record (rollup_leads/{id}), so a burst of leads writes as many documents
 * as leads and no two writes meet on one document: there is no hot spot to shard, and no
 * transaction. A record is written only if the event is newer than the version it holds (see
 * Version), with a precondition on the record as read, so a repeated, late or concurrent event
 * changes nothing, and a lost race is read again and retried. A changed contribution also leaves a
 * pending marker (same batch) for the fold; the aggregates themselves are only written by the
 * fold, never by the trigger.
 */
import {
  FieldValue,
  Timestamp,
  type DocumentData,
  type DocumentSnapshot,
  type WriteBatch,
} from 'firebase-admin/firestore';
import {
  compareVersions,
  contributionOf,
  encodeContribution,
  type Canonical,
  type Version,
} from './contribution';
import {
  isStaleWrite,
  recordOf,
  versionOf,
  type LeadRecord,
  type PendingMarker,
  type RollupStore,
} from './store';

/** One write of a lead, as a Firestore event reports it. */
export interface LeadWrite {
  id: string;
  /** The lead after the write; undefined when the write deleted it. */
  data: DocumentData | undefined;
  version: Version;
}

/** How long a deleted lead's record is kept: longer than Cloud Functions retries an event. */
export const TOMBSTONE_DAYS = 8;
/** Leads per batch: a record and a marker each, within Firestore's 500 writes. */
const CHUNK = 200;
const ATTEMPTS = 8;

export interface ObserveOutcome {
  /** Writes newer than what the record held. */
  applied: number;
  /** Writes already seen (a redelivery) or older than the record (a late event). */
  stale: number;
}

/**
 * The write of the lead as its trigger receives it: after-state, or the version it deleted. The id
 * is the document's own (from the event's payload), not `pathId`, the trigger's path parameter:
 * that one travels in an HTTP header, and the Functions emulator delivers a non-ASCII id there
 * re-encoded (`é` → `Ã©`), which recorded the lead under an id no lead has (or failed, once the
 * re-encoded id passed 1,500 bytes).
 */
export function leadWrite(
  pathId: string,
  before: DocumentSnapshot | undefined,
  after: DocumentSnapshot | undefined,
): LeadWrite | undefined {
  if (after?.exists && after.updateTime) {
    const id = after.id || pathId;
    return { id, data: after.data(), version: { time: after.updateTime, deleted: false } };
  }
  if (before?.exists && before.updateTime) {
    const id = before.id || pathId;
    return { id, data: undefined, version: { time: before.updateTime, deleted: true } };
  }
  return undefined;
}

export async function observeLeadWrites(
  store: RollupStore,
  writes: readonly LeadWrite[],
  canonical: Canonical,
): Promise<ObserveOutcome> {
  const outcome: ObserveOutcome = { applied: 0, stale: 0 };
  for (let i = 0; i < writes.length; i += CHUNK) {
    const chunk = latestPerLead(writes.slice(i, i + CHUNK));
    for (let attempt = 1; ; attempt++) {
      try {
        outcome.applied += await observeChunk(store, chunk, canonical);
        break;
      } catch (error) {
        if (!isStaleWrite(error) || attempt >= ATTEMPTS) throw error;
      }
    }
  }
  outcome.stale = writes.length - outcome.applied;
  return outcome;
}

/** Writes the records (and markers) of the writes newer than their record; returns how many. */
async function observeChunk(
  store: RollupStore,
  writes: readonly LeadWrite[],
  canonical: Canonical,
): Promise<number> {
  const snapshots = await store.db.getAll(...writes.map((w) => store.records.doc(w.id)));
  const batch = store.db.batch();
  let applied = 0;
  writes.forEach((write, i) => {
    const snapshot = snapshots[i];
    const record = recordOf(snapshot);
    if (record && compareVersions(write.version, versionOf(record)) <= 0) return;
    applied += 1;
    const current =
      write.data === undefined ? null : encodeContribution(contributionOf(write.data, canonical));
    writeRecord(batch, snapshot, record, {
      current,
      version: write.version.time,
      deleted: write.version.deleted,
      expire_at:
        current === null
          ? Timestamp.fromMillis(write.version.time.toMillis() + TOMBSTONE_DAYS * 86_400e3)
          : FieldValue.delete(),
    });
    if (current !== (record?.current ?? null)) {
      const marker: PendingMarker = { at: write.version.time };
      batch.set(store.pending.doc(write.id), marker);
    }
  });
  if (applied > 0) await batch.commit();
  return applied;
}

type RecordUpdate = Omit<LeadRecord, 'folded' | 'gen' | 'folded_micros' | 'expire_at'> & {
  expire_at: Timestamp | FieldValue;
};

function writeRecord(
  batch: WriteBatch,
  snapshot: DocumentSnapshot,
  record: LeadRecord | undefined,
  update: RecordUpdate,
): void {
  if (record && snapshot.updateTime) {
    batch.update(snapshot.ref, update, { lastUpdateTime: snapshot.updateTime });
  } else {
    const { expire_at, ...rest } = update;
    const created: LeadRecord = { ...rest, folded: null, gen: null };
    if (expire_at instanceof Timestamp) created.expire_at = expire_at;
    batch.create(snapshot.ref, created);
  }
}

/** Several writes of one lead in a batch (a replay): only the newest can matter. */
function latestPerLead(writes: readonly LeadWrite[]): LeadWrite[] {
  const latest = new Map<string, LeadWrite>();
  for (const write of writes) {
    const seen = latest.get(write.id);
    if (!seen || compareVersions(write.version, seen.version) > 0) latest.set(write.id, write);
  }
  return [...latest.values()];
}
