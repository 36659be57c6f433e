/**
 * The publisher's own document, `validator_state/publisher`, and its one owner: the lease that
 * keeps two publishers from running at once, the pending publish task that requests join, the
 * task generation and the last task started, and the time the chain next allows weights. Every
 * read goes through `stateOf`, so the fields have one type and no reader casts them.
 *
 * Each state has an exit: the lease expires (a crashed publisher blocks nobody for longer than
 * its term), a pending task is cleared when it starts, and the next-allowed time is only a floor
 * for scheduling.
 */
import {
  Timestamp,
  type DocumentSnapshot,
  type Firestore,
  type Transaction,
} from 'firebase-admin/firestore';

export const STATE_COLLECTION = 'validator_state';
/** Attempts of the transaction the first requests of a burst contend on (the default is 5). */
const CONTENDED = { maxAttempts: 20 };
export const PUBLISHER_DOC = 'publisher';
/**
 * A lease's term. A running publish renews it every HEARTBEAT_MS, so a publish may take as long as
 * the function's timeout allows; a run that died (a killed worker, a timeout) holds it for at most
 * one term after its last heartbeat, and a busy request waits no longer than that.
 */
export const LEASE_TERM_MS = 60_000;
export const HEARTBEAT_MS = 15_000;

export interface Lease {
  holder: string;
  acquired_at: Timestamp;
  expires_at: Timestamp;
}

/** The publish task that requests join until it starts. */
export interface PendingTask {
  task_id: string;
  not_before_ms: number;
  /** Set once the task is in the queue; until then a request enqueues it (again: names make that harmless). */
  enqueued: boolean;
  /** A request waits for the lease: whoever releases it runs this task at once (see takeWaiter). */
  wake_on_release?: boolean;
  /** When the release woke it: a delivery still waiting for the old time goes now. */
  woken_at_ms?: number;
}

/** Where the task started last stands: a second delivery of it runs only after a failure. */
export type TaskRun = 'running' | 'done' | 'failed';

export interface PublisherState {
  lease: Lease | null;
  pending: PendingTask | null;
  /** Tasks created so far; the next one is `publish-<generation + 1>`. */
  generation: number;
  started_task_id: string | null;
  task_run: TaskRun | null;
  /** When the chain next allows weights (ms); new tasks are not scheduled before. */
  next_allowed_at_ms: number;
}

export function publisherRef(db: Firestore) {
  return db.collection(STATE_COLLECTION).doc(PUBLISHER_DOC);
}

/** The typed state from the stored document (absent fields take their empty value). */
export function stateOf(snapshot: DocumentSnapshot): PublisherState {
  const data = snapshot.data() ?? {};
  const lease = data.lease as Lease | null | undefined;
  const pending = data.pending as PendingTask | null | undefined;
  return {
    lease: lease && lease.expires_at instanceof Timestamp ? lease : null,
    pending: pending && typeof pending.task_id === 'string' ? pending : null,
    generation: Number(data.generation ?? 0) || 0,
    started_task_id: typeof data.started_task_id === 'string' ? data.started_task_id : null,
    task_run: ['running', 'done', 'failed'].includes(String(data.task_run))
      ? (data.task_run as TaskRun)
      : null,
    next_allowed_at_ms: Number(data.next_allowed_at_ms ?? 0) || 0,
  };
}

/** The state as stored now, outside any transaction. */
export async function publisherState(db: Firestore): Promise<PublisherState> {
  return read(db);
}

async function read(db: Firestore, tx?: Transaction): Promise<PublisherState> {
  const ref = publisherRef(db);
  return stateOf(await (tx ? tx.get(ref) : ref.get()));
}

function write(db: Firestore, tx: Transaction, fields: Partial<PublisherState>): void {
  tx.set(publisherRef(db), fields, { merge: true });
}

// --- The lease -------------------------------------------------------------------------------

export function leaseActive(lease: Lease | null, nowMs: number): lease is Lease {
  return !!lease && lease.expires_at.toMillis() > nowMs;
}

/** Takes the lease for `holder` unless another holds an unexpired one; true when taken. */
export async function acquireLease(
  db: Firestore,
  holder: string,
  nowMs: number,
  termMs = LEASE_TERM_MS,
): Promise<boolean> {
  return changeLease(db, (lease) =>
    leaseActive(lease, nowMs) && lease.holder !== holder
      ? undefined
      : leaseFor(holder, nowMs, termMs),
  );
}

/** Writes the lease `change` returns for the stored one, in a transaction; false when it returns none. */
async function changeLease(
  db: Firestore,
  change: (lease: Lease | null) => Lease | undefined,
): Promise<boolean> {
  return db.runTransaction(async (tx) => {
    const next = change((await read(db, tx)).lease);
    if (next) write(db, tx, { lease: next });
    return next !== undefined;
  });
}

function leaseFor(holder: string, nowMs: number, termMs = LEASE_TERM_MS): Lease {
  return {
    holder,
    acquired_at: Timestamp.fromMillis(nowMs),
    expires_at: Timestamp.fromMillis(nowMs + termMs),
  };
}

/** Extends the lease `holder` holds by a term from now; false when it no longer holds it. */
export async function renewLease(
  db: Firestore,
  holder: string,
  nowMs: number,
  termMs = LEASE_TERM_MS,
): Promise<boolean> {
  return changeLease(db, (lease) =>
    lease?.holder === holder
      ? { ...lease, expires_at: Timestamp.fromMillis(nowMs + termMs) }
      : undefined,
  );
}

/**
 * Renews `holder`'s lease every HEARTBEAT_MS until the returned stop is called, so that a live
 * publish keeps it and a dead one loses it within a term. A renewal that fails is only logged by
 * the caller's `onLost`: the run goes on, and whoever took the lease over is told by the chain.
 */
export function heartbeat(
  db: Firestore,
  holder: string,
  now: () => number,
  onLost: (error?: unknown) => void,
): () => void {
  const timer = setInterval(() => {
    renewLease(db, holder, now()).then(
      (held) => held || onLost(),
      (error: unknown) => onLost(error),
    );
  }, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Gives the lease back, if `holder` still holds it. */
export async function releaseLease(db: Firestore, holder: string): Promise<void> {
  await db.runTransaction(async (tx) => {
    const { lease } = await read(db, tx);
    if (lease?.holder === holder) write(db, tx, { lease: null });
  });
}

/**
 * The pending task that waits for the lease, if the lease is free now: its flag is cleared, and
 * the caller enqueues it for now (its scheduled delivery, at the old lease's expiry, then finds
 * it started and is a no-op).
 */
export async function takeWaiter(
  db: Firestore,
  nowMs: number,
): Promise<{ task_id: string; notBeforeMs: number } | undefined> {
  const state = await read(db);
  // Read first: in the common case nobody waits, and no transaction is needed.
  if (!state.pending?.wake_on_release || leaseActive(state.lease, nowMs)) return undefined;
  return db.runTransaction(async (tx) => {
    const { lease, pending, next_allowed_at_ms } = await read(db, tx);
    if (!pending?.wake_on_release || leaseActive(lease, nowMs)) return undefined;
    // A delivery still waiting for the old time (the lease's expiry) sees it woken and goes.
    write(db, tx, { pending: { ...pending, wake_on_release: false, woken_at_ms: nowMs } });
    return { task_id: pending.task_id, notBeforeMs: Math.max(nowMs, next_allowed_at_ms) };
  });
}

/** Whether a publish is running now (an unexpired lease); inside `tx` when given. */
export async function publishInProgress(
  db: Firestore,
  nowMs: number,
  tx?: Transaction,
): Promise<boolean> {
  return leaseActive((await read(db, tx)).lease, nowMs);
}

// --- The pending task ------------------------------------------------------------------------

/**
 * The pending task, created if there is none: a request joins the pending task, or creates
 * `publish-<generation + 1>` scheduled no earlier than the chain allows.
 */
export async function pendingTask(
  db: Firestore,
  nowMs: number,
  notBeforeMs = 0,
  wakeOnRelease = false,
): Promise<{ pending: PendingTask; joined: boolean }> {
  return db.runTransaction(async (tx) => {
    const state = await read(db, tx);
    if (state.pending) {
      if (!wakeOnRelease || state.pending.wake_on_release)
        return { pending: state.pending, joined: true };
      const pending = { ...state.pending, wake_on_release: true };
      write(db, tx, { pending });
      return { pending, joined: true };
    }
    const generation = state.generation + 1;
    const pending: PendingTask = {
      task_id: `publish-${generation}`,
      not_before_ms: Math.max(nowMs, state.next_allowed_at_ms, notBeforeMs),
      enqueued: false,
      ...(wakeOnRelease ? { wake_on_release: true } : {}),
    };
    write(db, tx, { pending, generation });
    return { pending, joined: false };
  }, CONTENDED);
}

/** Notes that the pending task `taskId` is in the queue. */
export async function markEnqueued(db: Firestore, taskId: string): Promise<void> {
  await db.runTransaction(async (tx) => {
    const { pending } = await read(db, tx);
    if (pending?.task_id === taskId) write(db, tx, { pending: { ...pending, enqueued: true } });
  });
}

/**
 * Called when a task is delivered. The pending task starts: it is no longer pending, so requests
 * from now on schedule the next one. The task started last runs again only when its run failed or
 * died (its lease is gone); while it runs (`running`) or once it is `done`, a second delivery is a
 * no-op, and any other task is `stale`. A task that starts takes the lease for `holder` in the
 * same transaction when it is free, so a second delivery arriving before the run begins sees it
 * running. A retry never clears another task's pending request.
 */
export async function startTask(
  db: Firestore,
  taskId: string,
  holder: string,
  nowMs: number,
): Promise<'start' | 'running' | 'done' | 'stale'> {
  return db.runTransaction(async (tx) => {
    const state = await read(db, tx);
    const start = () => {
      const mine = state.pending?.task_id === taskId;
      write(db, tx, {
        ...(mine ? { pending: null } : {}),
        started_task_id: taskId,
        task_run: 'running',
        ...(leaseActive(state.lease, nowMs) ? {} : { lease: leaseFor(holder, nowMs) }),
      });
      return 'start' as const;
    };
    if (state.pending?.task_id === taskId) return start();
    if (state.started_task_id !== taskId) return 'stale';
    if (state.task_run === 'done') return 'done';
    const alive = leaseActive(state.lease, nowMs) && state.lease.holder.startsWith(`${taskId}/`);
    if (state.task_run === 'running' && alive) return 'running';
    return start();
  });
}

/** Records how the started task's run ended: `failed` lets its retry run again. */
export async function finishTask(db: Firestore, taskId: string, run: 'done' | 'failed') {
  await db.runTransaction(async (tx) => {
    if ((await read(db, tx)).started_task_id === taskId) write(db, tx, { task_run: run });
  });
}

/** When the current lease expires (ms), if one is held. */
export async function leaseExpiry(db: Firestore): Promise<number | undefined> {
  return (await read(db)).lease?.expires_at.toMillis();
}

/** Remembers when the chain next allows weights, so new tasks are scheduled for then. */
export async function setNextAllowed(db: Firestore, atMs: number): Promise<void> {
  await publisherRef(db).set({ next_allowed_at_ms: atMs }, { merge: true });
}
