/**
 * One publish cycle, as every trigger runs it: take the lease, score, publish, record the
 * attempt, give the lease back. A cycle that finds another publisher running, or nothing new to
 * publish, says so and records it too.
 */
import type { Writable } from 'node:stream';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Firestore } from 'firebase-admin/firestore';
import { publicEndpoint } from '../chain/endpoints';
import type { HotkeySecretError } from '../chain/hotkey';
import type { PublishConfig } from '../config/publishing';
import type { ScoringConfig } from '../config/scoring';
import type { Logger } from '../logs/logger';
import { writeAuditEntry } from '../logs/audit-entry';
import * as logs from '../logs/pipeline';
import * as publishingLogs from '../logs/publishing';
import * as securityLogs from '../logs/security';
import { withoutValidatorHotkey } from '../leads/hotkey';
import { calculateWeights, type ScoringResult } from '../scoring/calculate-weights';
import { recordAttempt, TRANSACTIONS_COLLECTION, type TriggerKind } from './audit';
import { updateCommit, type PendingCommit } from './commits';
import { reconcileSubmissions, type StillPending } from './reconcile';
import { acquireLease, heartbeat, releaseLease } from '../state/publisher';
import { followUpCommits, type FollowUp } from './reveal';
import { publishWeights } from './publish';
import type { Outcome, PublishResult } from './result';
import type { WriteAhead } from './submission';

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
  /**
   * The subnet's other mechanisms, each published after `result` (the first mechanism) with its
   * own extrinsic and its own record (docs/mechanisms.md).
   */
  mechanisms?: Array<Pick<CycleOutcome, 'result' | 'record'>>;
}

/** Scores and converts as the cycle does, sends nothing and records nothing (no lease, no follow-up). */
export async function dryRunPublish(
  input: Omit<CycleInput, 'holder' | 'trigger' | 'unchangedRepublishMs'>,
): Promise<PublishResult> {
  const result = await publishShares(input, await score(input, Date.now()), undefined, true);
  logs.dryRunNotRecorded(input.log);
  return result;
}

async function score(
  input: Pick<
    CycleInput,
    'db' | 'projectId' | 'scoring' | 'log' | 'scoreAt' | 'signer' | 'publishing'
  >,
  nowMs: number,
): Promise<ScoringResult> {
  const scoring = await calculateWeights({
    db: input.db,
    projectId: input.projectId,
    config: input.scoring,
    log: input.log,
    now: input.scoreAt ?? new Date(nowMs),
  });
  // Leads are the miners' data: one naming the validator would have it vote for itself.
  const own = withoutValidatorHotkey(
    scoring.weights_dict,
    input.signer.address,
    input.publishing.allowSelfWeight ?? false,
  );
  if (!own.excluded) return scoring;
  securityLogs.selfWeightExcluded(input.log, own.excluded.hotkey, own.excluded.share);
  return { ...scoring, weights_dict: own.shares };
}

function publishShares(
  input: Pick<CycleInput, 'db' | 'signer' | 'publishing' | 'log'>,
  scoring: ScoringResult,
  writeAhead?: WriteAhead,
  dryRun = false,
  mechanism = input.publishing.mechanisms?.[0] ?? 0,
) {
  return publishWeights({
    shares: scoring.weights_dict,
    signer: input.signer,
    config: input.publishing,
    log: input.log,
    db: input.db,
    dryRun,
    writeAhead,
    mechanism,
  });
}

/**
 * The mechanisms to publish after the first one: those configured, or every other one the subnet
 * has (MechanismCountCurrent, as the first publish read it). None when the first was refused for
 * a mechanism the subnet lacks, or sent an extrinsic whose fate is unknown: another one now could
 * take its nonce, so the next run reconciles it first.
 */
export function otherMechanisms(first: PublishResult, configured?: readonly number[]): number[] {
  if (first.mechanism_count === undefined || first.error_code === 'MechanismDoesNotExist')
    return [];
  if (unresolvedSend(first)) return [];
  if (configured?.length) return configured.slice(1);
  return Array.from({ length: first.mechanism_count }, (_, m) => m).filter(
    (m) => m !== first.mechanism,
  );
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
    id?: string,
    /** The Cloud Logging entry is the attempt's outcome: not written for the write-ahead. */
    final = true,
  ) => {
    const written = await recordAttempt(
      db,
      { result, scoring, trigger, startedAtMs, finishedAtMs: now(), commitTransaction },
      collection,
      id,
    );
    if (final) writeAuditEntry(input.projectId, written.id, written.document, input.auditTransport);
    return { id: written.id, iteration_count: written.iteration_count };
  };
  /** One attempt's record: written before its extrinsic is sent (if it sends), completed after. */
  const journal = (commitTransaction?: string) => {
    let id: string | undefined;
    return {
      writeAhead: async (pending: Outcome) => {
        const timings = { ...pending.timings, total_ms: 0 };
        const opened = { ...base(input), ...pending, timings };
        id = (await record(opened, undefined, commitTransaction, undefined, false)).id;
      },
      close: (result: PublishResult, scoring?: ScoringResult) =>
        record(result, scoring, commitTransaction, id),
    };
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
  const stopHeartbeat = heartbeat(db, input.holder, now, (error) =>
    logs.leaseNotRenewed(log, input.holder, error),
  );
  try {
    // What earlier runs sent and never saw land is settled first: nothing is sent twice.
    const pending = await reconcileSubmissions({
      db,
      config: input.publishing,
      validator: signer.address,
      log,
      collection,
    });
    // Commits next: a hash commit whose window is open is revealed before anything new is sent.
    const reveals = new Map<string, ReturnType<typeof journal>>();
    const revealJournal = (commit: PendingCommit) => {
      const entry = reveals.get(commit.id) ?? journal(commit.commit_transaction);
      reveals.set(commit.id, entry);
      return entry;
    };
    const followUps = pending.length
      ? []
      : await followUpCommits({
          db,
          config: input.publishing,
          signer,
          log,
          writeAheadFor: (commit) => revealJournal(commit).writeAhead,
        });
    for (const followUp of followUps) {
      const commitTransaction = followUp.commit.commit_transaction;
      if (followUp.record) await revealJournal(followUp.commit).close(followUp.result);
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
    let scoring: ScoringResult;
    try {
      scoring = await score(input, startedAtMs);
    } catch (error) {
      // Even the full scan failed (Firestore unreachable…): recorded, and retried by the task.
      const reason = `scoring failed: ${errorText(error)}`;
      const result: PublishResult = {
        ...skipped(input, 'ScoringFailed', reason),
        status: 'failed',
        retryable: true,
      };
      publishingLogs.notPublished(log, 'failed', 'ScoringFailed', reason);
      return { result, record: await record(result), followUps };
    }
    const attempt = journal();
    const result = await publishUnlessHeld(
      input,
      collection,
      scoring,
      { followUps, pending },
      startedAtMs,
      () => publishShares(input, scoring, attempt.writeAhead),
    );
    const written = await attempt.close(result, scoring);
    if (result.commit_id) {
      await updateCommit(db, result.commit_id, { commit_transaction: written.id });
    }
    // Each other mechanism: its own decision (one signed extrinsic) and its own record.
    const mechanisms: NonNullable<CycleOutcome['mechanisms']> = [];
    for (const mechanism of otherMechanisms(result, input.publishing.mechanisms)) {
      const each = journal();
      const sent = await publishShares(input, scoring, each.writeAhead, false, mechanism);
      const record = await each.close(sent, scoring);
      if (sent.commit_id) await updateCommit(db, sent.commit_id, { commit_transaction: record.id });
      mechanisms.push({ result: sent, record });
      if (unresolvedSend(sent)) break;
    }
    return { result, record: written, followUps, ...(mechanisms.length ? { mechanisms } : {}) };
  } finally {
    stopHeartbeat();
    await releaseLease(db, input.holder);
  }
}

/**
 * Publishes, unless something says not to: an earlier extrinsic that may still land (sending
 * another could put two on chain), a hash commit still waiting for its reveal (a new commit would
 * stack another one behind it; the reveal comes first), or shares unchanged since a recent
 * successful publish.
 */
async function publishUnlessHeld(
  input: CycleInput,
  collection: string,
  scoring: ScoringResult,
  { followUps, pending }: { followUps: readonly FollowUp[]; pending: readonly StillPending[] },
  nowMs: number,
  publish: () => Promise<PublishResult>,
): Promise<PublishResult> {
  const [inFlight] = pending;
  if (inFlight) {
    publishingLogs.stillPending(input.log, inFlight.hash, inFlight.eraEnd);
    return skipped(
      input,
      'SubmissionPending',
      `extrinsic ${inFlight.hash} (record ${inFlight.id}) may still land until block ${inFlight.eraEnd}; nothing new is sent before its fate is known`,
    );
  }
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

/** A result whose extrinsic was sent and not seen to land or fail: it may still land. */
function unresolvedSend(result: PublishResult): boolean {
  const landed = result.status === 'included' || result.status === 'finalized';
  return (
    result.status === 'submitting' ||
    (result.extrinsic_hash !== undefined && !landed && result.retryable === true)
  );
}

function skipped(input: CycleInput, code: string, reason: string): PublishResult {
  return {
    ...base(input),
    status: 'skipped',
    error_code: code,
    reason,
    retryable: false,
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Records a task that failed outside what a cycle records (a throw anywhere in the handler): the
 * audit trail shows every failure, with a named code, never only the last success. The record is
 * as small as it can be (no scoring), so that it can be written whatever made the run fail.
 */
export async function recordTaskFailure(
  input: Pick<
    CycleInput,
    'db' | 'projectId' | 'publishing' | 'trigger' | 'nowMs' | 'transactions' | 'auditTransport'
  > & { validator?: string },
  error: unknown,
): Promise<CycleOutcome> {
  const now = input.nowMs ?? Date.now;
  const startedAtMs = now();
  const code = (error as { code?: unknown } | undefined)?.code;
  const result: PublishResult = {
    ...base({
      publishing: input.publishing,
      signer: { address: input.validator ?? UNKNOWN_VALIDATOR },
    }),
    status: 'failed',
    error_code: typeof code === 'string' && /^[A-Za-z]+$/.test(code) ? code : 'TaskFailed',
    reason: `the publish task failed: ${errorText(error)}`,
    retryable: true,
  };
  return recordOutsideCycle(input, result, startedAtMs);
}

/** Writes the record (and its Cloud Logging entry) of a run that ended before or outside a cycle. */
async function recordOutsideCycle(
  input: Pick<
    CycleInput,
    'db' | 'projectId' | 'trigger' | 'nowMs' | 'transactions' | 'auditTransport'
  >,
  result: PublishResult,
  startedAtMs: number,
): Promise<CycleOutcome> {
  const written = await recordAttempt(
    input.db,
    { result, trigger: input.trigger, startedAtMs, finishedAtMs: (input.nowMs ?? Date.now)() },
    input.transactions ?? TRANSACTIONS_COLLECTION,
  );
  writeAuditEntry(input.projectId, written.id, written.document, input.auditTransport);
  return {
    result,
    record: { id: written.id, iteration_count: written.iteration_count },
    followUps: [],
  };
}

/** Who the validator is, in the record of a run whose hotkey secret yields no key. */
export const UNKNOWN_VALIDATOR = 'unknown';

/**
 * Records a run that cannot start because the hotkey secret yields no key: the attempt is in the
 * audit trail like any other, with validator_hotkey "unknown", and is not retryable (the secret
 * stays wrong until someone changes it). The message is the error's, which holds no secret.
 */
export async function recordInvalidSecret(
  input: Pick<
    CycleInput,
    | 'db'
    | 'projectId'
    | 'publishing'
    | 'log'
    | 'trigger'
    | 'nowMs'
    | 'transactions'
    | 'auditTransport'
  >,
  error: HotkeySecretError,
): Promise<CycleOutcome> {
  const now = input.nowMs ?? Date.now;
  const startedAtMs = now();
  securityLogs.invalidHotkeySecret(input.log, error.message);
  const result: PublishResult = {
    ...base({ publishing: input.publishing, signer: { address: UNKNOWN_VALIDATOR } }),
    status: 'failed',
    error_code: error.code,
    reason: error.message,
    retryable: false,
  };
  return recordOutsideCycle(input, result, startedAtMs);
}

/** The fields of every record of this cycle: who publishes where, nothing sent yet. */
function base(input: Pick<CycleInput, 'publishing'> & { signer: Pick<KeyringPair, 'address'> }) {
  const { publishing, signer } = input;
  return {
    mode: 'set_weights' as const,
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
