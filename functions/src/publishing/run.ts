/**
 * One publish cycle, as every trigger runs it: take the lease, score, publish, record the
 * attempt, give the lease back. A cycle that finds another publisher running, or nothing new to
 * publish, says so and records it too.
 */
import type { Writable } from 'node:stream';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Firestore } from 'firebase-admin/firestore';
import { publicEndpoint } from '../chain/endpoints';
import type { PublishConfig } from '../config/publishing';
import type { ScoringConfig } from '../config/scoring';
import type { Logger } from '../logs/logger';
import { writeAuditEntry } from '../logs/audit-entry';
import * as logs from '../logs/pipeline';
import { calculateWeights, type ScoringResult } from '../scoring/calculate-weights';
import { recordAttempt, TRANSACTIONS_COLLECTION, type TriggerKind } from './audit';
import { updateCommit } from './commits';
import { acquireLease, releaseLease } from '../state/publisher';
import { followUpCommits, type FollowUp } from './reveal';
import { publishWeights } from './publish';
import type { PublishResult } from './result';

export interface CycleInput {
  db: Firestore;
  projectId: string;
  signer: KeyringPair;
  scoring: ScoringConfig;
  publishing: PublishConfig;
  log: Logger;
  trigger: { kind: TriggerKind; ref?: string };
  /** Who asks; the lease is taken in this name. */
  holder: string;
  nowMs?: () => number;
  /** The end of the scoring window, when not the start of the run (the CLI's --now). */
  scoreAt?: Date;
  /** Unchanged weights are not sent again while the last successful publish is younger than this. */
  unchangedRepublishMs?: number;
  transactions?: string;
  /** Where the Cloud Logging entry of each attempt goes (structured stdout by default). */
  auditTransport?: Writable;
}

export interface CycleOutcome {
  result: PublishResult;
  /** The attempt's weight_transactions document. */
  record: { id: string; iteration_count: number };
  /** What the run did about open commits before publishing. */
  followUps: FollowUp[];
}

/** Scores and converts as the cycle does, sends nothing and records nothing (no lease, no follow-up). */
export async function dryRunPublish(
  input: Omit<CycleInput, 'holder' | 'trigger' | 'unchangedRepublishMs'>,
): Promise<PublishResult> {
  const result = await publishShares(input, await score(input, Date.now()), true);
  logs.dryRunNotRecorded(input.log);
  return result;
}

function score(
  input: Pick<CycleInput, 'db' | 'projectId' | 'scoring' | 'log' | 'scoreAt'>,
  nowMs: number,
) {
  return calculateWeights({
    db: input.db,
    projectId: input.projectId,
    config: input.scoring,
    log: input.log,
    now: input.scoreAt ?? new Date(nowMs),
  });
}

function publishShares(
  input: Pick<CycleInput, 'db' | 'signer' | 'publishing' | 'log'>,
  scoring: ScoringResult,
  dryRun = false,
) {
  return publishWeights({
    shares: scoring.weights_dict,
    signer: input.signer,
    config: input.publishing,
    log: input.log,
    db: input.db,
    dryRun,
  });
}

export async function runPublishCycle(input: CycleInput): Promise<CycleOutcome> {
  const now = input.nowMs ?? Date.now;
  const startedAtMs = now();
  const { db, log, signer, trigger } = input;
  const collection = input.transactions ?? TRANSACTIONS_COLLECTION;

  const record = async (
    result: PublishResult,
    scoring?: ScoringResult,
    commitTransaction?: string,
  ) => {
    const written = await recordAttempt(
      db,
      { result, scoring, trigger, startedAtMs, finishedAtMs: now(), commitTransaction },
      collection,
    );
    writeAuditEntry(input.projectId, written.id, written.document, input.auditTransport);
    return { id: written.id, iteration_count: written.iteration_count };
  };

  if (!(await acquireLease(db, input.holder, startedAtMs))) {
    const result = skipped(
      input,
      'PublisherBusy',
      'another publish holds the lease; this request is served by it or the next one',
    );
    logs.publisherBusy(log);
    return { result, record: await record(result), followUps: [] };
  }
  try {
    // Commits first: a hash commit whose window is open is revealed before anything new is sent.
    const followUps = await followUpCommits({ db, config: input.publishing, signer, log });
    for (const followUp of followUps) {
      const commitTransaction = followUp.commit.commit_transaction;
      if (followUp.record) await record(followUp.result, undefined, commitTransaction);
      if (commitTransaction && followUp.outcome !== 'waiting') {
        await db
          .collection(collection)
          .doc(commitTransaction)
          .set(
            {
              reveal_status: followUp.outcome,
              revealed_block: followUp.result.block_number ?? null,
            },
            { merge: true },
          );
      }
    }
    const scoring = await score(input, startedAtMs);
    const result = await publishUnlessHeld(input, collection, scoring, followUps, startedAtMs, () =>
      publishShares(input, scoring),
    );
    const written = await record(result, scoring);
    if (result.commit_id) {
      await updateCommit(db, result.commit_id, { commit_transaction: written.id });
    }
    return { result, record: written, followUps };
  } finally {
    await releaseLease(db, input.holder);
  }
}

/**
 * Publishes, unless something says not to: a hash commit still waiting for its reveal (a new
 * commit would stack another one behind it; the reveal comes first), or shares unchanged since a
 * recent successful publish.
 */
async function publishUnlessHeld(
  input: CycleInput,
  collection: string,
  scoring: ScoringResult,
  followUps: readonly FollowUp[],
  nowMs: number,
  publish: () => Promise<PublishResult>,
): Promise<PublishResult> {
  const waiting = followUps.find(
    ({ commit, outcome }) => commit.kind === 'hash' && outcome === 'waiting',
  );
  if (waiting) {
    const reason = `commit ${waiting.commit.id.slice(0, 12)}… waits for its reveal: ${waiting.result.reason ?? 'its window has not opened'}`;
    logs.revealFirst(input.log, reason);
    return {
      ...skipped(input, 'RevealPending', reason),
      mode: 'commit',
      first_reveal_block: waiting.commit.first_reveal_block,
      last_reveal_block: waiting.commit.last_reveal_block,
      reveal_epoch: waiting.commit.reveal_epoch,
    };
  }
  const unchangedSince = await lastSuccessWithSameShares(
    input,
    collection,
    scoring.weights_dict,
    nowMs,
  );
  if (unchangedSince === undefined) return publish();
  const since = new Date(unchangedSince).toISOString();
  logs.nothingNew(input.log, since);
  return skipped(
    input,
    'Unchanged',
    `the shares are the same as in the successful publish at ${since}`,
  );
}

function skipped(input: CycleInput, code: string, reason: string): PublishResult {
  const { publishing, signer } = input;
  return {
    status: 'skipped',
    error_code: code,
    reason,
    retryable: false,
    mode: 'set_weights',
    network: publishing.endpoint.network,
    endpoint: publicEndpoint(publishing.endpoint),
    netuid: publishing.netuid,
    validator_hotkey: signer.address,
    allocation: [],
    unregistered_hotkeys: [],
    attempts: 0,
    timings: { total_ms: 0 },
  };
}

/** The time of the last successful publish if it sent these very shares recently enough. */
async function lastSuccessWithSameShares(
  input: CycleInput,
  collection: string,
  shares: Record<string, number>,
  nowMs: number,
): Promise<number | undefined> {
  const maxAge = input.unchangedRepublishMs ?? 0;
  if (maxAge <= 0) return undefined;
  const last = await input.db
    .collection(collection)
    .where('validator_hotkey', '==', input.signer.address)
    .where('success', '==', true)
    .orderBy('ts', 'desc')
    .limit(1)
    .get();
  const doc = last.docs[0];
  if (!doc) return undefined;
  const at = doc.get('ts').toMillis() as number;
  if (nowMs - at >= maxAge || doc.get('netuid') !== input.publishing.netuid) return undefined;
  const sent = doc.get('weights') as Record<string, number>;
  const hotkeys = doc.get('uid_hotkeys') as Record<string, string>;
  const previous = Object.fromEntries(
    Object.entries(sent).map(([uid, share]) => [hotkeys[uid], share]),
  );
  const same =
    Object.keys(previous).length === Object.keys(shares).length &&
    Object.entries(shares).every(([hotkey, share]) => previous[hotkey] === share);
  return same ? at : undefined;
}
