/**
 * Commits waiting for their reveal, persisted in Firestore (`validator_state/publisher/commits`)
 * so that a reveal survives restarts and function instances. A hash commit is saved before it is
 * submitted (a crash right after submitting must not lose the salt) and revealed by a later run
 * inside its reveal epoch; a timelocked commit is revealed by the chain itself, and a later run
 * links that reveal to the commit.
 */
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { withoutUndefined } from './firestore-data';
import { publisherRef } from './lease';

export type CommitKind = 'hash' | 'timelocked';
export type CommitStatus = 'committing' | 'committed' | 'revealed' | 'missed' | 'failed';

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
  /** Hash commits only: the salt, needed to reveal. */
  salt?: number[];
  reveal_epoch: number;
  first_reveal_block: number;
  last_reveal_block: number;
  reveal_round?: string;
  /** The best block when the commit was built: its transaction is valid for a mortal era from there. */
  submitted_block?: number;
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

/** Commits of a validator on a subnet that still wait for their reveal. */
export async function openCommits(
  db: Firestore,
  hotkey: string,
  netuid: number,
): Promise<PendingCommit[]> {
  const snapshot = await commitsCollection(db)
    .where('hotkey', '==', hotkey)
    .where('netuid', '==', netuid)
    .where('status', '==', 'committed')
    .get();
  return snapshot.docs.map((doc) => doc.data() as PendingCommit);
}
