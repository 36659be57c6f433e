/**
 * The publisher lease: at most one publish runs at a time for a validator, whatever the timing of
 * triggers, schedule and retries. It lives in `validator_state/publisher` and expires, so a
 * crashed publisher never blocks the next one (nor leaves sourced leads waiting) for longer than
 * its term.
 */
import { Timestamp, type Firestore } from 'firebase-admin/firestore';

export const STATE_COLLECTION = 'validator_state';
export const PUBLISHER_DOC = 'publisher';
/** Longest a publish may hold the lease: connect, read, and wait for inclusion, with room to spare. */
export const LEASE_TERM_MS = 10 * 60_000;

export interface Lease {
  holder: string;
  acquired_at: Timestamp;
  expires_at: Timestamp;
}

export function publisherRef(db: Firestore) {
  return db.collection(STATE_COLLECTION).doc(PUBLISHER_DOC);
}

export function leaseActive(lease: Lease | null | undefined, nowMs: number): lease is Lease {
  return !!lease && lease.expires_at.toMillis() > nowMs;
}

/** Takes the lease for `holder` unless another holds an unexpired one; true when taken. */
export async function acquireLease(
  db: Firestore,
  holder: string,
  nowMs: number,
  termMs = LEASE_TERM_MS,
): Promise<boolean> {
  const ref = publisherRef(db);
  return db.runTransaction(async (tx) => {
    const current = (await tx.get(ref)).get('lease') as Lease | null | undefined;
    if (leaseActive(current, nowMs) && current.holder !== holder) return false;
    tx.set(
      ref,
      {
        lease: {
          holder,
          acquired_at: Timestamp.fromMillis(nowMs),
          expires_at: Timestamp.fromMillis(nowMs + termMs),
        } satisfies Lease,
      },
      { merge: true },
    );
    return true;
  });
}

/** Gives the lease back, if `holder` still holds it. */
export async function releaseLease(db: Firestore, holder: string): Promise<void> {
  const ref = publisherRef(db);
  await db.runTransaction(async (tx) => {
    const current = (await tx.get(ref)).get('lease') as Lease | null | undefined;
    if (current?.holder === holder) tx.set(ref, { lease: null }, { merge: true });
  });
}

/** Whether a publish is running now (an unexpired lease). */
export async function publishInProgress(db: Firestore, nowMs: number): Promise<boolean> {
  const lease = (await publisherRef(db).get()).get('lease') as Lease | null | undefined;
  return leaseActive(lease, nowMs);
}
