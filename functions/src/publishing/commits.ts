/**
 * Commits waiting for their reveal, persisted in Firestore (`validator_state/publisher/commits`)
 * so that a reveal survives restarts and function instances. A hash commit is saved before it is
 * submitted (a crash right after submitting must not lose the salt) and revealed by a later run
 * inside its reveal epoch; a timelocked commit is revealed by the chain itself, and a later run
 * links that reveal to the commit.
 *
 * Every state has an exit, decided by the chain on a later run (reveal.ts):
 * - `committing` (saved, sent or not): found in WeightCommits / TimelockedWeightCommits →
 *   `committed`; its reveal window passed → `expired`; its transaction's era passed unfound →
 *   `failed`;
 * - `committed` → `revealed`, `missed` (the window passed), or `failed` (the chain refused);
 * - `revealed`, `missed`, `expired` and `failed` are final.
 */
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { withoutUndefined } from './firestore-data';
import { publisherRef } from '../state/publisher';

export type CommitKind = 'hash' | 'timelocked';
export type CommitStatus =
  'committing' | 'committed' | 'revealed' | 'missed' | 'expired' | 'failed';

/** The states a later run follows up. */
export const OPEN_COMMIT_STATUSES: readonly CommitStatus[] = ['committing', 'committed'];

export interface PendingCommit {
  /** Hash commits: the commit hash; timelocked: the ciphertext's blake2 hash. Also the doc id. */
  id: string;
  kind: CommitKind;
  status: CommitStatus;
  netuid: number;
  hotkey: string;
  uids: number[];
  values: number[];
  version_key: string;
  /** The subnet mechanism, when not 0: its weights are kept at netuid + mechanism · 4096. */
  mechanism?: number;
  /** Hash commits only: the salt, needed to reveal. */
  salt?: number[];
  reveal_epoch: number;
  first_reveal_block: number;
  last_reveal_block: number;
  reveal_round?: string;
  /** The best block when the commit was built: its transaction is valid for a mortal era from there. */
  submitted_block?: number;
  /** The epoch at that block: a timelocked commit is kept under it (or the next, if it landed later). */
  commit_epoch?: number;
  commit_block?: number;
  /** The weight_transactions document of the commit. */
  commit_transaction?: string;
  revealed_block?: number;
  reveal_transaction?: string;
  reason?: string;
}

export function commitsCollection(db: Firestore) {
  return publisherRef(db).collection('commits');
}

export async function saveCommit(db: Firestore, commit: PendingCommit): Promise<void> {
  await commitsCollection(db)
    .doc(commit.id)
    .set({ ...withoutUndefined(commit), updated_at: Timestamp.now() });
}

export async function updateCommit(
  db: Firestore,
  id: string,
  fields: Partial<PendingCommit>,
): Promise<void> {
  await commitsCollection(db)
    .doc(id)
    .set({ ...withoutUndefined(fields), updated_at: Timestamp.now() }, { merge: true });
}

/** Commits of a validator on a subnet that are not final: being committed, or waiting for their reveal. */
export async function openCommits(
  db: Firestore,
  hotkey: string,
  netuid: number,
): Promise<PendingCommit[]> {
  const snapshot = await commitsCollection(db)
    .where('hotkey', '==', hotkey)
    .where('netuid', '==', netuid)
    .where('status', 'in', OPEN_COMMIT_STATUSES)
    .get();
  return snapshot.docs.map((doc) => doc.data() as PendingCommit);
}
