/**
 * One publish cycle, as every trigger runs it: take the lease, score, publish, record the
 * attempt, give the lease back. A cycle that finds another publisher running, or nothing new to
 * publish, says so and records it too.
 */
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
import { acquireLease, releaseLease } from './lease';
import { followUpCommits } from './reveal';
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
  /** Unchanged weights are not sent again while the last successful publish is younger than this. */
  unchangedRepublishMs?: number;
  transactions?: string;
}

export interface CycleOutcome {
  result: PublishResult;
  record: { id: string; iteration_count: number };
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
    writeAuditEntry(input.projectId, written.id, written.document);
    return { id: written.id, iteration_count: written.iteration_count };
  };

  if (!(await acquireLease(db, input.holder, startedAtMs))) {
    const result = skipped(
      input,
      'PublisherBusy',
      'another publish holds the lease; this request is served by it or the next one',
    );
    logs.publisherBusy(log);
    return { result, record: await record(result) };
  }
  try {
    // Commits first: a hash commit whose window is open is revealed before anything new is sent.
    for (const followUp of await followUpCommits({ db, config: input.publishing, signer, log })) {
      const commitTransaction = followUp.commit.commit_transaction;
      if (followUp.result) await record(followUp.result, undefined, commitTransaction);
      if (commitTransaction) {
        await db
          .collection(collection)
          .doc(commitTransaction)
          .set(
            {
              reveal_status: followUp.outcome,
              revealed_block: followUp.result?.block_number ?? null,
            },
            { merge: true },
          );
      }
    }
    const scoring = await calculateWeights({
      db,
      projectId: input.projectId,
      config: input.scoring,
      log,
      now: new Date(startedAtMs),
    });
    const unchangedSince = await lastSuccessWithSameShares(
      input,
      collection,
      scoring.weights_dict,
      startedAtMs,
    );
    let result: PublishResult;
    if (unchangedSince !== undefined) {
      result = skipped(
        input,
        'Unchanged',
        `the shares are the same as in the successful publish at ${new Date(unchangedSince).toISOString()}`,
      );
      logs.nothingNew(log, new Date(unchangedSince).toISOString());
    } else {
      result = await publishWeights({
        shares: scoring.weights_dict,
        signer,
        config: input.publishing,
        log,
        db,
      });
    }
    const written = await record(result, scoring);
    if (result.commit_id && (result.status === 'included' || result.status === 'finalized')) {
      await updateCommit(db, result.commit_id, { commit_transaction: written.id });
    }
    return { result, record: written };
  } finally {
    await releaseLease(db, input.holder);
  }
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
