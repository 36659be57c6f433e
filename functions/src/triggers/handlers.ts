/**
 * What each trigger does, apart from the trigger itself (index.ts only wires), so the same code
 * runs from the emulator, production and tests.
 */
import { randomUUID } from 'node:crypto';
import type { Firestore } from 'firebase-admin/firestore';
import { hotkeyFromSecret } from '../chain/hotkey';
import { UNCHANGED_REPUBLISH_DEFAULT_MINUTES } from '../config/params';
import { publishConfigFromEnv } from '../config/publishing';
import { scoringConfigFromEnv } from '../config/scoring';
import type { Logger } from '../logs/logger';
import * as logs from '../logs/pipeline';
import { reviewQueuedLeads } from '../leads/review';
import { DEFAULT_BLOCK_SECONDS } from '../chain/runtime-items';
import { runPublishCycle, type CycleOutcome } from '../publishing/run';
import { setNextAllowed, startTask } from '../state/publisher';
import { requestPublish, type PublishTask, type TaskQueue } from './schedule-publish';

export interface PipelineDeps {
  db: Firestore;
  projectId: string;
  queue: TaskQueue;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  nowMs?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Longest a task waits in its handler for its start time (the emulator ignores scheduleTime). */
export const MAX_EARLY_WAIT_MS = 5 * 60_000;

export async function onCuratedLead(deps: PipelineDeps, leadId: string): Promise<void> {
  logs.triggered(deps.log, 'curated_lead', leadId);
  await requestPublish(deps.db, deps.queue, deps.log, {
    kind: 'curated_lead',
    ref: leadId,
    nowMs: now(deps),
  });
}

export async function onSchedule(deps: PipelineDeps, scheduleTime: string): Promise<void> {
  logs.triggered(deps.log, 'schedule', scheduleTime);
  // The sweep that guarantees no sourced lead stays queued, even after a publisher crash.
  await reviewQueuedLeads({ db: deps.db, log: deps.log, nowMs: now(deps) });
  await requestPublish(deps.db, deps.queue, deps.log, {
    kind: 'schedule',
    ref: scheduleTime,
    nowMs: now(deps),
  });
}

/**
 * A publish task: wait for its time, run one cycle, reschedule if the chain said too soon, and
 * resume the sourced-lead review. A retryable failure throws, so Cloud Tasks retries with backoff.
 */
export async function onPublishTask(
  deps: PipelineDeps,
  task: PublishTask,
  hotkeySecret: string,
): Promise<CycleOutcome | undefined> {
  const early = task.not_before_ms - now(deps);
  if (early > 0) await (deps.sleep ?? sleep)(Math.min(early, MAX_EARLY_WAIT_MS));
  if (!(await startTask(deps.db, task.task_id))) return undefined;
  const env = deps.env ?? process.env;
  const outcome = await runPublishCycle({
    db: deps.db,
    projectId: deps.projectId,
    signer: await hotkeyFromSecret(hotkeySecret),
    scoring: scoringConfigFromEnv(env),
    publishing: publishConfigFromEnv(env),
    log: deps.log,
    trigger: { kind: task.trigger, ref: task.trigger_ref ?? task.task_id },
    holder: `${task.task_id}/${randomUUID()}`,
    nowMs: deps.nowMs,
    unchangedRepublishMs:
      Number(env.UNCHANGED_REPUBLISH_MINUTES ?? UNCHANGED_REPUBLISH_DEFAULT_MINUTES) * 60_000,
  });
  const { result, record } = outcome;
  logs.recorded(deps.log, record.id, record.iteration_count, result.status);
  const reviewed = await reviewQueuedLeads({ db: deps.db, log: deps.log, nowMs: now(deps) });
  logs.resumingReview(deps.log, reviewed);
  const blockSeconds = result.block_seconds ?? DEFAULT_BLOCK_SECONDS;
  if (result.eta_seconds !== undefined) {
    const nextAllowed = now(deps) + result.eta_seconds * 1000;
    await setNextAllowed(deps.db, nextAllowed);
    if (result.status === 'rate-limited') {
      await requestPublish(deps.db, deps.queue, deps.log, {
        kind: 'task',
        ref: task.task_id,
        nowMs: now(deps),
        notBeforeMs: nextAllowed + blockSeconds * 1000,
      });
    }
  }
  const committed =
    (result.mode === 'commit' || result.mode === 'timelocked_commit') && result.first_reveal_block;
  if (
    committed &&
    (result.status === 'included' || result.status === 'finalized') &&
    result.block_number
  ) {
    // Come back when the reveal epoch opens: to reveal a hash commit, or to see the chain's reveal.
    const blocks = (result.first_reveal_block ?? 0) - result.block_number + 1;
    await requestPublish(deps.db, deps.queue, deps.log, {
      kind: 'task',
      ref: `reveal ${result.commit_id ?? ''}`,
      nowMs: now(deps),
      notBeforeMs: now(deps) + Math.max(0, blocks) * blockSeconds * 1000,
    });
  }
  if (result.status === 'failed' && result.retryable) {
    throw new Error(
      `publish ${task.task_id} failed (${result.error_code}): ${result.reason}; Cloud Tasks retries it`,
    );
  }
  return outcome;
}

const now = (deps: PipelineDeps) => (deps.nowMs ?? Date.now)();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
