/**
 * Turning publish requests (curated leads, the hourly schedule, a rate-limited run) into as few
 * publish tasks as the chain allows. A Firestore transaction on `validator_state/publisher` keeps
 * at most one pending task: requests that arrive while one is pending join it, so a burst of
 * leads costs one extrinsic per rate-limit window, and a redelivered event changes nothing. The
 * task is named after its generation, so enqueuing it twice (a retried trigger) is a no-op, and
 * scheduled for the first moment the chain's rate limit allows.
 */
import type { Firestore } from 'firebase-admin/firestore';
import type { Logger } from '../logs/logger';
import * as logs from '../logs/pipeline';
import type { TriggerKind } from '../publishing/audit';
import { publisherRef } from '../publishing/lease';

export interface PublishTask {
  task_id: string;
  not_before_ms: number;
  trigger: TriggerKind;
  trigger_ref?: string;
}

/** What the pipeline needs of a task queue (Cloud Tasks through firebase-admin in production). */
export interface TaskQueue {
  /** Enqueues a named task; enqueuing a name twice must not create a second task. */
  enqueue(task: PublishTask, scheduleAtMs: number): Promise<void>;
}

interface Pending {
  task_id: string;
  not_before_ms: number;
  enqueued: boolean;
}

export async function requestPublish(
  db: Firestore,
  queue: TaskQueue,
  log: Logger,
  request: { kind: TriggerKind; ref?: string; nowMs: number; notBeforeMs?: number },
): Promise<{ task: PublishTask; joined: boolean }> {
  const ref = publisherRef(db);
  const { pending, joined } = await db.runTransaction(async (tx) => {
    const doc = await tx.get(ref);
    const current = doc.get('pending') as Pending | null | undefined;
    if (current) return { pending: current, joined: true };
    const generation = Number(doc.get('generation') ?? 0) + 1;
    const nextAllowed = Number(doc.get('next_allowed_at_ms') ?? 0);
    const created: Pending = {
      task_id: `publish-${generation}`,
      not_before_ms: Math.max(request.nowMs, nextAllowed, request.notBeforeMs ?? 0),
      enqueued: false,
    };
    tx.set(ref, { pending: created, generation }, { merge: true });
    return { pending: created, joined: false };
  });
  const task: PublishTask = {
    task_id: pending.task_id,
    not_before_ms: pending.not_before_ms,
    trigger: request.kind,
    trigger_ref: request.ref,
  };
  if (joined && pending.enqueued) {
    logs.requestCoalesced(log, pending.task_id);
    return { task, joined };
  }
  // Enqueued outside the transaction (it may run again); the name makes a repeat harmless.
  await queue.enqueue(task, pending.not_before_ms);
  await db.runTransaction(async (tx) => {
    const current = (await tx.get(ref)).get('pending') as Pending | null | undefined;
    if (current?.task_id === pending.task_id)
      tx.set(ref, { pending: { ...current, enqueued: true } }, { merge: true });
  });
  logs.taskScheduled(log, pending.task_id, new Date(pending.not_before_ms).toISOString());
  return { task, joined };
}

/**
 * Called when a task starts: it is no longer pending, so requests from now on schedule the next
 * one. A retry of the task that started last runs again; any other task is a stale duplicate
 * (false), which the caller drops.
 */
export async function startTask(db: Firestore, taskId: string): Promise<boolean> {
  const ref = publisherRef(db);
  return db.runTransaction(async (tx) => {
    const doc = await tx.get(ref);
    const current = doc.get('pending') as Pending | null | undefined;
    if (current?.task_id === taskId) {
      tx.set(ref, { pending: null, started_task_id: taskId }, { merge: true });
      return true;
    }
    return doc.get('started_task_id') === taskId;
  });
}

/** Remembers when the chain next allows set_weights, so new tasks are scheduled for then. */
export async function setNextAllowed(db: Firestore, atMs: number): Promise<void> {
  await publisherRef(db).set({ next_allowed_at_ms: atMs }, { merge: true });
}
