/**
 * Turning publish requests (curated leads, the hourly schedule, a rate-limited run) into as few
 * publish tasks as the chain allows. `validator_state/publisher` holds at most one pending task:
 * requests that arrive while one is pending and queued join it with a plain read (no transaction,
 * no write: a burst does not contend on the document), and only creating the task takes a
 * transaction. So a burst of leads costs one extrinsic per rate-limit window, and a redelivered
 * event changes nothing. The
 * task is named after its generation, so enqueuing it twice (a retried trigger) is a no-op, and
 * scheduled for the first moment the chain's rate limit allows.
 */
import type { Firestore } from 'firebase-admin/firestore';
import type { Logger } from '../logs/logger';
import * as logs from '../logs/pipeline';
import type { TriggerKind } from '../publishing/audit';
import { markEnqueued, pendingTask, publisherState, takeWaiter } from '../state/publisher';

export interface PublishTask {
  task_id: string;
  not_before_ms: number;
  trigger: TriggerKind;
  trigger_ref?: string;
}

/** What the pipeline needs of a task queue (Cloud Tasks through firebase-admin in production). */
export interface TaskQueue {
  /**
   * Enqueues a named task (`name`, default its task id); enqueuing a name twice must not create a
   * second task. A task deferred past its dispatch deadline comes back under another name.
   */
  enqueue(task: PublishTask, scheduleAtMs: number, name?: string): Promise<void>;
}

export async function requestPublish(
  db: Firestore,
  queue: TaskQueue,
  log: Logger,
  request: {
    kind: TriggerKind;
    ref?: string;
    nowMs: number;
    notBeforeMs?: number;
    /** The request waits for the lease: whoever releases it runs the task at once. */
    wakeOnRelease?: boolean;
  },
): Promise<{ task: PublishTask; joined: boolean }> {
  // A burst's common case: a task is pending and queued, and joining it changes nothing. A plain
  // read decides it, with no transaction or write on the one publisher document. It is as safe
  // as the transaction: a task still pending now starts (and scores) only after this read.
  const current = (await publisherState(db)).pending;
  if (current?.enqueued && (!request.wakeOnRelease || current.wake_on_release)) {
    logs.requestCoalesced(log, current.task_id);
    return { task: taskFor(current, request), joined: true };
  }
  const { pending, joined } = await pendingTask(
    db,
    request.nowMs,
    request.notBeforeMs,
    request.wakeOnRelease,
  );
  const task = taskFor(pending, request);
  if (joined && pending.enqueued) {
    logs.requestCoalesced(log, pending.task_id);
    return { task, joined };
  }
  // Enqueued outside the transaction (it may run again); the name makes a repeat harmless.
  await queue.enqueue(task, pending.not_before_ms);
  await markEnqueued(db, pending.task_id);
  logs.taskScheduled(log, pending.task_id, new Date(pending.not_before_ms).toISOString());
  return { task, joined };
}

function taskFor(
  pending: { task_id: string; not_before_ms: number },
  request: { kind: TriggerKind; ref?: string },
): PublishTask {
  return {
    task_id: pending.task_id,
    not_before_ms: pending.not_before_ms,
    trigger: request.kind,
    trigger_ref: request.ref,
  };
}

/**
 * A request that waits for the lease runs now that the lease is free (not before the chain
 * allows), under another Cloud Tasks name; its own delivery, at the old lease's expiry, then finds
 * it started. Whoever releases the lease calls this: the task handler and the command line.
 */
export async function wakeWaiter(
  db: Firestore,
  queue: TaskQueue,
  log: Logger,
  nowMs: number,
): Promise<string | undefined> {
  const waiter = await takeWaiter(db, nowMs);
  if (!waiter) return undefined;
  const at = Math.max(nowMs, waiter.notBeforeMs);
  await queue.enqueue(
    { task_id: waiter.task_id, not_before_ms: at, trigger: 'task', trigger_ref: waiter.task_id },
    at,
    `${waiter.task_id}-r${Math.floor(nowMs / 1000)}`,
  );
  logs.waiterWoken(log, waiter.task_id);
  return waiter.task_id;
}
