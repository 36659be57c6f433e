/**
 * What each trigger does, apart from the trigger itself (index.ts only wires), so the same code
 * runs from the emulator, production and tests.
 */
import { randomUUID } from 'node:crypto';
import { hotkeyFromSecret, HotkeySecretError } from '../chain/hotkey';
import { UNCHANGED_REPUBLISH_DEFAULT_MINUTES } from '../config/params';
import { publishConfigFromEnv, worstCasePublishMs, type PublishConfig } from '../config/publishing';
import { scoringConfigFromEnv } from '../config/scoring';
import * as logs from '../logs/pipeline';
import { reviewQueuedLeads } from '../leads/review';
import { DEFAULT_BLOCK_SECONDS } from '../chain/runtime-items';
import type { PublishResult } from '../publishing/result';
import * as publishingLogs from '../logs/publishing';
import {
  recordInvalidSecret,
  recordTaskFailure,
  runPublishCycle,
  type CycleOutcome,
} from '../publishing/run';
import { unresolved } from '../publishing/audit';
import {
  finishTask,
  leaseExpiry,
  publisherState,
  releaseLease,
  setNextAllowed,
  startTask,
} from '../state/publisher';
import { PUBLISH_TIMEOUT_SECONDS } from './deadline';
import type { PipelineDeps } from './requests';
import { requestPublish, wakeWaiter, type PublishTask } from './schedule-publish';

export { onCuratedLead, onSchedule, type PipelineDeps } from './requests';

/**
 * A publish task: wait for its time (within the dispatch deadline, else come back later), run one
 * cycle, reschedule when the chain said too soon or the publisher was busy, and resume the
 * sourced-lead review. A second delivery of a task that is running or done changes nothing and
 * says so. A retryable failure throws, so Cloud Tasks retries with backoff.
 */
export async function onPublishTask(
  deps: PipelineDeps,
  task: PublishTask,
  hotkeySecret: string,
): Promise<CycleOutcome | undefined> {
  const env = deps.env ?? process.env;
  const publishing = publishConfigFromEnv(env);
  if (!(await waitForStart(deps, task, publishing))) return undefined;
  const holder = `${task.task_id}/${randomUUID()}`;
  const start = await startTask(deps.db, task.task_id, holder, now(deps));
  if (start !== 'start') {
    logs.taskNotRun(deps.log, task.task_id, start);
    // Running, or its worker died and its lease has not expired yet: look again when it has.
    if (start === 'running') await checkBack(deps, task);
    return undefined;
  }
  let outcome: CycleOutcome;
  const trigger = { kind: task.trigger, ref: task.trigger_ref ?? task.task_id };
  let validator: string | undefined;
  try {
    // A secret that yields no key is recorded (and not retried: it stays wrong until changed).
    const signer = await hotkeyFromSecret(hotkeySecret, { endpoint: publishing.endpoint }).catch(
      (error: unknown) => {
        if (error instanceof HotkeySecretError) return error;
        throw error;
      },
    );
    const { db, projectId, log, nowMs } = deps;
    if (!(signer instanceof HotkeySecretError)) validator = signer.address;
    // startTask took the lease for this holder: the cycle gives it back when it ends; a run
    // that stops at the secret gives it back here.
    outcome =
      signer instanceof HotkeySecretError
        ? await recordInvalidSecret(
            { db, projectId, publishing, log, trigger, nowMs },
            signer,
          ).finally(() => releaseLease(db, holder))
        : await runPublishCycle({
            db,
            projectId,
            signer,
            scoring: scoringConfigFromEnv(env),
            publishing,
            log,
            trigger,
            holder,
            nowMs,
            unchangedRepublishMs:
              Number(env.UNCHANGED_REPUBLISH_MINUTES ?? UNCHANGED_REPUBLISH_DEFAULT_MINUTES) *
              60_000,
          });
  } catch (error) {
    // Whatever failed, the audit trail says so: a record with a named error_code, so the
    // dashboard never goes on showing the last success. Cloud Tasks then retries the task.
    const { db, projectId, log, nowMs } = deps;
    await recordTaskFailure({ db, projectId, publishing, trigger, nowMs, validator }, error).then(
      ({ result }) =>
        publishingLogs.notPublished(log, 'failed', `${result.error_code}`, `${result.reason}`),
      (recordError: unknown) => publishingLogs.failureNotRecorded(log, error, recordError),
    );
    await finishTask(deps.db, task.task_id, 'failed');
    await releaseLease(deps.db, holder);
    await wakeWaiter(deps.db, deps.queue, deps.log, now(deps));
    throw error;
  }
  const { result, record } = outcome;
  const retry = result.status === 'failed' && result.retryable === true;
  await finishTask(deps.db, task.task_id, retry ? 'failed' : 'done');
  logs.recorded(deps.log, record.id, record.iteration_count, result.status);
  const reviewed = await reviewQueuedLeads({ db: deps.db, log: deps.log, nowMs: now(deps) });
  logs.cycleSummary(deps.log, result.status, result.error_code, reviewed);
  await comeBack(deps, task, result);
  await wakeWaiter(deps.db, deps.queue, deps.log, now(deps));
  if (retry) {
    throw new Error(
      `publish ${task.task_id} failed (${result.error_code}): ${result.reason}; Cloud Tasks retries it`,
    );
  }
  return outcome;
}

/**
 * Waits for the task's time when that fits in the function's timeout with the publish's own worst
 * case; otherwise waits what fits and enqueues the task again for its time (under another Cloud
 * Tasks name, the same task id), so that no request is held past its deadline. False: not now.
 *
 * Cloud Tasks delivers at the scheduled time, so this wait is rare in production; the Cloud Tasks
 * emulator ignores scheduleTime, and this wait stands in for it. It ends early when the task was
 * woken (it waited for the lease, which was released) or another delivery has started it: with
 * one dispatch at a time, a sleeping delivery would otherwise hold back the one that wakes it.
 */
async function waitForStart(
  deps: PipelineDeps,
  task: PublishTask,
  publishing: PublishConfig,
): Promise<boolean> {
  const early = task.not_before_ms - now(deps);
  if (early <= 0) return true;
  const canWait = Math.max(0, PUBLISH_TIMEOUT_SECONDS * 1000 - worstCasePublishMs(publishing));
  let left = Math.min(early, canWait);
  while (left > 0) {
    const slice = Math.min(left, WAIT_SLICE_MS);
    await (deps.sleep ?? sleep)(slice);
    left -= slice;
    const { pending } = await publisherState(deps.db);
    if (pending?.task_id !== task.task_id || pending.woken_at_ms !== undefined) return true;
  }
  if (task.not_before_ms - now(deps) <= 0) return true;
  const continuation = `${task.task_id}-w${Math.floor(now(deps) / 1000)}`;
  await deps.queue.enqueue(task, task.not_before_ms, continuation);
  logs.taskDeferred(deps.log, task.task_id, new Date(task.not_before_ms).toISOString());
  return false;
}

/** Schedules what this run's result asks for: the first allowed block, a reveal, a free publisher. */
async function comeBack(deps: PipelineDeps, task: PublishTask, result: PublishResult) {
  const blockSeconds = result.block_seconds ?? DEFAULT_BLOCK_SECONDS;
  const again = (ref: string, notBeforeMs: number) =>
    requestPublish(deps.db, deps.queue, deps.log, {
      kind: 'task',
      ref,
      nowMs: now(deps),
      notBeforeMs,
    });
  if (result.error_code === 'PublisherBusy') {
    // Another publisher holds the lease: this request runs when it is released, or at the latest
    // when the lease expires (a term after the holder's last heartbeat).
    await requestPublish(deps.db, deps.queue, deps.log, {
      kind: 'task',
      ref: task.task_id,
      nowMs: now(deps),
      notBeforeMs: (await leaseExpiry(deps.db)) ?? now(deps),
      wakeOnRelease: true,
    });
    return;
  }
  if (unresolved(result) || result.error_code === 'SubmissionPending') {
    // What was sent may still land: the next run reconciles it (and sends the same bytes again).
    const at = now(deps) + FOLLOW_UP_BLOCKS * blockSeconds * 1000;
    await again(`reconcile ${result.extrinsic_hash ?? ''}`.trim(), at);
    logs.followUpScheduled(
      deps.log,
      result.extrinsic_hash ?? 'pending',
      new Date(at).toISOString(),
    );
  }
  if (result.eta_seconds !== undefined) {
    const nextAllowed = now(deps) + result.eta_seconds * 1000;
    await setNextAllowed(deps.db, nextAllowed);
    if (result.status === 'rate-limited')
      await again(task.task_id, nextAllowed + blockSeconds * 1000);
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
    await again(
      `reveal ${result.commit_id ?? ''}`,
      now(deps) + Math.max(0, blocks) * blockSeconds * 1000,
    );
  }
}

/** How often an early delivery looks whether its task was woken or started meanwhile. */
const WAIT_SLICE_MS = 5_000;

/** Blocks to wait before reconciling an attempt again: it may land in any block of its era. */
const FOLLOW_UP_BLOCKS = 10;

/**
 * A second delivery found the task running: if its worker died (killed, timed out), nothing else
 * would run it, so it comes back when that run's lease ends; then it is a no-op if the run ended.
 */
async function checkBack(deps: PipelineDeps, task: PublishTask): Promise<void> {
  const expiry = (await leaseExpiry(deps.db)) ?? now(deps);
  const at = expiry + 1_000;
  await deps.queue.enqueue(
    { ...task, not_before_ms: at },
    at,
    `${task.task_id}-l${Math.floor(expiry / 1000)}`,
  );
  logs.taskChecksBack(deps.log, task.task_id, new Date(at).toISOString());
}

const now = (deps: PipelineDeps) => (deps.nowMs ?? Date.now)();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
