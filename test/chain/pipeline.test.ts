import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Timestamp } from 'firebase-admin/firestore';
import { runPublishCycle } from '../../functions/src/publishing/run';
import { recentTransactions } from '../../functions/src/publishing/history';
import { publishConfigFromEnv } from '../../functions/src/config/publishing';
import { DEFAULT_SCORING_CONFIG } from '../../functions/src/config/scoring';
import * as handlers from '../../functions/src/triggers/handlers';
import {
  acquireLease,
  LEASE_TERM_MS,
  publisherRef,
  releaseLease,
  startTask,
  stateOf,
} from '../../functions/src/state/publisher';
import {
  wakeWaiter,
  type PublishTask,
  type TaskQueue,
} from '../../functions/src/triggers/schedule-publish';
import { testFirestore } from '../support/firestore';
import { sealOnSubmit, setupSubnet, startTestChain, type TestChain } from '../support/devnet';
import { recordingLogger } from '../support/logger';

const store = testFirestore('pipeline');
let chain: TestChain;
let netuid = 300;
let miners: string[];

/** Cloud Tasks' contract for named tasks: a name enqueued twice is one task. */
class RecordingQueue implements TaskQueue {
  readonly tasks = new Map<string, { task: PublishTask; at: number }>();
  async enqueue(task: PublishTask, scheduleAtMs: number, name = task.task_id) {
    if (!this.tasks.has(name)) this.tasks.set(name, { task, at: scheduleAtMs });
  }
}

function taskOf(queue: RecordingQueue, id: string): PublishTask {
  const entry = queue.tasks.get(id);
  if (!entry) throw new Error(`no task ${id}`);
  return entry.task;
}

const env = () => ({
  SUBTENSOR_NETWORK: chain.devnet.url,
  NETUID: String(netuid),
  PUBLISH_ATTEMPTS: '1',
});
const deps = (queue: TaskQueue, log = recordingLogger()): handlers.PipelineDeps => ({
  db: store.db,
  projectId: store.projectId,
  queue,
  log,
  env: env(),
  sleep: async () => undefined,
});

beforeAll(async () => {
  // 3-second blocks: the rescheduling must follow the chain's block time, not an assumed 12 s.
  chain = await startTestChain({ finalityLag: 1, blockTimeMs: 3000 });
  sealOnSubmit(chain);
});
afterAll(async () => {
  await chain.stop();
  await store.close();
});
beforeEach(async () => {
  await store.clear();
  netuid += 1;
  const pairs = await setupSubnet(chain, { netuid, miners: 2, params: { weightsSetRateLimit: 3 } });
  miners = pairs.map((p) => p.address);
  await store.db.collection('curated_leads').doc('lead-0').set({
    curated_by: miners[0],
    source: miners[1],
    created_at: Timestamp.now(),
  });
});

const extrinsicsSince = (fromBlock: number) => {
  let count = 0;
  for (let n = fromBlock + 1; n <= chain.devnet.chain.best.number; n++)
    count += chain.devnet.chain.block(n)?.extrinsics.length ?? 0;
  return count;
};

describe('publish requests', () => {
  it('a burst of curated leads, each delivered twice, makes one task and one extrinsic', async () => {
    const queue = new RecordingQueue();
    const ids = Array.from({ length: 15 }, (_, i) => `burst-${i}`);
    await Promise.all([...ids, ...ids].map((id) => handlers.onCuratedLead(deps(queue), id)));
    expect([...queue.tasks.keys()]).toEqual(['publish-1']);
    const from = chain.devnet.chain.best.number;
    const outcome = await handlers.onPublishTask(
      deps(queue),
      taskOf(queue, 'publish-1'),
      '//Alice',
    );
    expect(outcome?.result.status).toBe('included');
    expect(extrinsicsSince(from)).toBe(1);
    // Delivered again once done (a duplicate delivery): a no-op that says so.
    const log = recordingLogger();
    const again = await handlers.onPublishTask(
      deps(queue, log),
      taskOf(queue, 'publish-1'),
      '//Alice',
    );
    expect(again).toBeUndefined();
    expect(log.messages('INFO')).toContain(
      'Weight update publish-1 not run: it has run already (a second delivery)',
    );
    expect(extrinsicsSince(from)).toBe(1);
  });

  it('requests that join a queued task take no transaction on the publisher document', async () => {
    const queue = new RecordingQueue();
    await handlers.onCuratedLead(deps(queue), 'first');
    const transactions = vi.spyOn(store.db, 'runTransaction');
    try {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => handlers.onCuratedLead(deps(queue), `more-${i}`)),
      );
      expect(transactions).not.toHaveBeenCalled();
    } finally {
      transactions.mockRestore();
    }
    expect([...queue.tasks.keys()]).toEqual(['publish-1']);
  });

  it('drops a stale task that is neither pending nor the one last started', async () => {
    const queue = new RecordingQueue();
    const stale = { task_id: 'publish-99', not_before_ms: 0, trigger: 'schedule' as const };
    expect(await handlers.onPublishTask(deps(queue), stale, '//Alice')).toBeUndefined();
  });

  it('a lead after the run starts schedules the next task, not before the chain allows it', async () => {
    const queue = new RecordingQueue();
    await handlers.onCuratedLead(deps(queue), 'first');
    await handlers.onPublishTask(deps(queue), taskOf(queue, 'publish-1'), '//Alice');
    await handlers.onCuratedLead(deps(queue), 'second');
    const next = queue.tasks.get('publish-2');
    expect(next).toBeDefined();
    // The rate limit (3 blocks of the chain's 3 s) pushes the next task's time forward.
    expect(next?.at).toBeGreaterThan(Date.now() + 6_000);
    expect(next?.at).toBeLessThan(Date.now() + 12_000);
  });

  it('a rate-limited run records it and schedules itself for the first allowed block', async () => {
    const queue = new RecordingQueue();
    await handlers.onCuratedLead(deps(queue), 'a');
    await handlers.onPublishTask(deps(queue), taskOf(queue, 'publish-1'), '//Alice');
    await store.db
      .collection('validator_state')
      .doc('publisher')
      .set({ next_allowed_at_ms: 0 }, { merge: true });
    // A lead that changes the shares, too early for the chain.
    await store.db
      .collection('curated_leads')
      .doc('lead-b')
      .set({ curated_by: miners[1], source: miners[1], created_at: Timestamp.now() });
    await handlers.onCuratedLead(deps(queue), 'b');
    const outcome = await handlers.onPublishTask(
      deps(queue),
      taskOf(queue, 'publish-2'),
      '//Alice',
    );
    expect(outcome?.result).toMatchObject({
      status: 'rate-limited',
      error_code: 'SettingWeightsTooFast',
    });
    const retry = queue.tasks.get('publish-3');
    expect(retry?.task).toMatchObject({ trigger: 'task', trigger_ref: 'publish-2' });
    expect(retry?.at).toBeGreaterThanOrEqual(
      Date.now() + (outcome?.result.eta_seconds ?? 0) * 1000,
    );
  });

  it("a rate-limit ETA is the chain's block time × the blocks to wait", async () => {
    const queue = new RecordingQueue();
    await handlers.onCuratedLead(deps(queue), 'eta');
    const first = await handlers.onPublishTask(deps(queue), taskOf(queue, 'publish-1'), '//Alice');
    expect(first?.result.block_seconds).toBe(3);
    expect(first?.result.eta_seconds).toBe(3 * 3);
  });

  it('a task delivered again while it runs: one run, one extrinsic', async () => {
    const queue = new RecordingQueue();
    await handlers.onCuratedLead(deps(queue), 'twice');
    const from = chain.devnet.chain.best.number;
    // The second delivery arrives while the first waits for its extrinsic's block.
    chain.devnet.controls.delaySubmissions(400);
    try {
      const log = recordingLogger();
      const [first, second] = await Promise.all([
        handlers.onPublishTask(deps(queue), taskOf(queue, 'publish-1'), '//Alice'),
        new Promise((resolve) => setTimeout(resolve, 200)).then(() =>
          handlers.onPublishTask(deps(queue, log), taskOf(queue, 'publish-1'), '//Alice'),
        ),
      ]);
      expect(first?.result.status).toBe('included');
      expect(second).toBeUndefined();
      expect(log.messages('INFO')).toContain(
        'Weight update publish-1 not run: it is running now (a second delivery)',
      );
    } finally {
      chain.devnet.controls.delaySubmissions(0);
    }
    expect(extrinsicsSince(from)).toBe(1);
  });

  it('a request that meets a busy publisher comes back when the lease ends, and is published', async () => {
    const queue = new RecordingQueue();
    // Another publisher holds the lease (a manual publish, say).
    await acquireLease(store.db, 'cli/elsewhere', Date.now());
    await handlers.onCuratedLead(deps(queue), 'during');
    const busy = await handlers.onPublishTask(deps(queue), taskOf(queue, 'publish-1'), '//Alice');
    expect(busy?.result.error_code).toBe('PublisherBusy');
    const back = queue.tasks.get('publish-2');
    expect(back?.task).toMatchObject({ trigger: 'task', trigger_ref: 'publish-1' });
    expect(back?.at).toBeGreaterThan(Date.now() + LEASE_TERM_MS / 2); // the lease's expiry
    await releaseLease(store.db, 'cli/elsewhere');
    const later = await handlers.onPublishTask(
      { ...deps(queue), nowMs: () => back?.at ?? 0 },
      { ...taskOf(queue, 'publish-2'), not_before_ms: 0 },
      '//Alice',
    );
    expect(later?.result.status).toBe('included');
  });

  it('a task too early for its dispatch deadline waits what fits, then comes back under another name', async () => {
    const queue = new RecordingQueue();
    await handlers.onCuratedLead(deps(queue), 'early');
    const waits: number[] = [];
    const early = { ...taskOf(queue, 'publish-1'), not_before_ms: Date.now() + 3_600_000 };
    const outcome = await handlers.onPublishTask(
      { ...deps(queue), sleep: async (ms) => void waits.push(ms) },
      early,
      '//Alice',
    );
    expect(outcome).toBeUndefined();
    // Never held past the deadline: the wait plus the publish's worst case fit in 600 s.
    expect(waits[0]).toBeLessThan(600_000);
    const again = [...queue.tasks].find(([name]) => name.startsWith('publish-1-w'));
    expect(again?.[1]).toMatchObject({ task: { task_id: 'publish-1' }, at: early.not_before_ms });
  });

  it('a transient failure throws so that Cloud Tasks retries the task', async () => {
    const queue = new RecordingQueue();
    await handlers.onCuratedLead(deps(queue), 'x');
    const unreachable = {
      ...deps(queue),
      env: { ...env(), SUBTENSOR_NETWORK: 'ws://127.0.0.1:1' },
    };
    await expect(
      handlers.onPublishTask(unreachable, taskOf(queue, 'publish-1'), '//Alice'),
    ).rejects.toThrow(/ConnectionFailed.*Cloud Tasks retries it/);
    const [failed] = await recentTransactions(store.db, { limit: 1, failedOnly: true });
    expect(failed).toMatchObject({
      status: 'failed',
      error_code: 'ConnectionFailed',
      retryable: true,
    });
  });
});

describe('no request lost, no delivery run twice (issue 18)', () => {
  const publisherState = async () => stateOf(await publisherRef(store.db).get());

  it('a retry of a failed task keeps the newer pending request', async () => {
    const queue = new RecordingQueue();
    await handlers.onCuratedLead(deps(queue), 'first');
    const unreachable = {
      ...deps(queue),
      env: { ...env(), SUBTENSOR_NETWORK: 'ws://127.0.0.1:1' },
    };
    await expect(
      handlers.onPublishTask(unreachable, taskOf(queue, 'publish-1'), '//Alice'),
    ).rejects.toThrow(/Cloud Tasks retries it/);
    // A newer lead's request is pending while Cloud Tasks retries publish-1.
    await handlers.onCuratedLead(deps(queue), 'newer');
    expect((await publisherState()).pending?.task_id).toBe('publish-2');
    const retried = await handlers.onPublishTask(
      deps(queue),
      taskOf(queue, 'publish-1'),
      '//Alice',
    );
    expect(retried?.result.status).toBe('included');
    expect((await publisherState()).pending?.task_id).toBe('publish-2');
  });

  it('a second delivery arriving before the run takes the lease is a no-op', async () => {
    const queue = new RecordingQueue();
    await handlers.onCuratedLead(deps(queue), 'window');
    const now = Date.now();
    expect(await startTask(store.db, 'publish-1', 'publish-1/first', now)).toBe('start');
    // The first delivery has not reached its publish cycle yet: the lease is already its own.
    expect((await publisherState()).lease?.holder).toBe('publish-1/first');
    expect(await startTask(store.db, 'publish-1', 'publish-1/second', now + 10)).toBe('running');
  });

  it('a worker killed after it started: the next delivery comes back when its lease ends, and runs', async () => {
    const queue = new RecordingQueue();
    await handlers.onCuratedLead(deps(queue), 'killed');
    const startedAt = Date.now();
    // The delivery that started and died: its lease is renewed by nobody.
    await startTask(store.db, 'publish-1', 'publish-1/dead', startedAt);
    const log = recordingLogger();
    const retry = await handlers.onPublishTask(
      deps(queue, log),
      taskOf(queue, 'publish-1'),
      '//Alice',
    );
    expect(retry).toBeUndefined();
    const [name, back] = [...queue.tasks].find(([n]) => n.startsWith('publish-1-l')) ?? [];
    expect(name).toBeDefined();
    // Within a lease term of the dead run's start (no heartbeat renewed it).
    expect(back?.at).toBeLessThanOrEqual(startedAt + LEASE_TERM_MS + 1_000);
    const ran = await handlers.onPublishTask(
      { ...deps(queue), nowMs: () => back?.at ?? 0 },
      { ...(back?.task as PublishTask), not_before_ms: 0 },
      '//Alice',
    );
    expect(ran?.result.status).toBe('included');
  });

  it('a request that waited for the lease runs as soon as the holder releases it', async () => {
    const queue = new RecordingQueue();
    await acquireLease(store.db, 'cli/elsewhere', Date.now());
    await handlers.onCuratedLead(deps(queue), 'waiting');
    const busy = await handlers.onPublishTask(deps(queue), taskOf(queue, 'publish-1'), '//Alice');
    expect(busy?.result.error_code).toBe('PublisherBusy');
    expect((await publisherState()).pending).toMatchObject({
      task_id: 'publish-2',
      wake_on_release: true,
    });
    // Nothing is woken while the lease is held.
    expect(await wakeWaiter(store.db, queue, recordingLogger(), Date.now())).toBeUndefined();
    await releaseLease(store.db, 'cli/elsewhere');
    const releasedAt = Date.now();
    expect(await wakeWaiter(store.db, queue, recordingLogger(), releasedAt)).toBe('publish-2');
    const [, woken] = [...queue.tasks].find(([n]) => n.startsWith('publish-2-r')) ?? [];
    expect(woken?.at).toBeLessThan(releasedAt + 1_000);
    const ran = await handlers.onPublishTask(deps(queue), woken?.task as PublishTask, '//Alice');
    expect(ran?.result.status).toBe('included');
    // Its own delivery, at the old lease's expiry, is then a no-op.
    const late = await handlers.onPublishTask(deps(queue), taskOf(queue, 'publish-2'), '//Alice');
    expect(late).toBeUndefined();
  });
});

describe('the publish cycle', () => {
  const cycle = (holder: string, log = recordingLogger(), unchangedRepublishMs?: number) =>
    runPublishCycle({
      db: store.db,
      projectId: store.projectId,
      signer: chain.alice,
      scoring: DEFAULT_SCORING_CONFIG,
      publishing: publishConfigFromEnv(env()),
      log,
      trigger: { kind: 'task', ref: holder },
      holder,
      unchangedRepublishMs,
    });

  it('never runs twice at once: the second stands down and says so', async () => {
    const from = chain.devnet.chain.best.number;
    chain.devnet.controls.stalled = true; // the first publish waits for its block, holding the lease
    const first = cycle('one');
    await expect
      .poll(
        async () =>
          (await store.db.collection('validator_state').doc('publisher').get()).get('lease.holder'),
        { timeout: 10_000 },
      )
      .toBe('one');
    const second = await cycle('two');
    expect(second.result).toMatchObject({ status: 'skipped', error_code: 'PublisherBusy' });
    chain.devnet.controls.stalled = false;
    chain.devnet.chain.produceBlock();
    expect(['included', 'finalized']).toContain((await first).result.status);
    expect(extrinsicsSince(from)).toBe(1);
  });

  it('records every attempt with the audit fields and a growing iteration count', async () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const first = await cycle('first');
    const second = await cycle('second'); // rate-limited
    const written = stdout.mock.calls.map(([chunk]) => String(chunk));
    stdout.mockRestore();
    expect(second.record.iteration_count).toBe(first.record.iteration_count + 1);
    const doc = (
      await store.db.collection('weight_transactions').doc(first.record.id).get()
    ).data();
    expect(doc).toMatchObject({
      status: 'included',
      success: true,
      netuid,
      network: 'custom',
      mode: 'set_weights',
      validator_hotkey: chain.alice.address,
      validator_uid: 0,
      uids: [1, 2],
      weights: { 1: 0.6, 2: 0.4 },
      weights_u16: [65535, 43690],
      uid_hotkeys: { 1: miners[0], 2: miners[1] },
      total_weight: 1,
      num_miners: 2,
      trigger: 'task',
      trigger_ref: 'first',
      error_code: null,
      version_key: '0',
    });
    expect(doc?.ts).toBeInstanceOf(Timestamp);
    expect(doc?.transaction_hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(doc?.block_hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(typeof doc?.block_number).toBe('number');
    expect(typeof doc?.extrinsic_index).toBe('number');
    expect(typeof doc?.spec_version).toBe('number');
    expect(doc?.durations).toMatchObject({
      total_ms: expect.any(Number),
      run_ms: expect.any(Number),
    });
    const rateLimited = (
      await store.db.collection('weight_transactions').doc(second.record.id).get()
    ).data();
    expect(rateLimited).toMatchObject({
      status: 'rate-limited',
      success: false,
      error_code: 'SettingWeightsTooFast',
    });
    // One structured Cloud Logging entry per attempt, on stdout.
    const entries = written
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.startsWith('{') && line.includes('/logs/weight-transactions'))
      .map((line) => JSON.parse(line));
    const ids = [first.record.id, second.record.id];
    const ours = entries.filter((e) => ids.includes(e.message?.transaction_id));
    expect(new Set(ours.map((e) => e.message.transaction_id))).toEqual(new Set(ids));
    expect(ours.find((e) => e.message.transaction_id === first.record.id)).toMatchObject({
      severity: 'INFO',
      logName: `projects/${store.projectId}/logs/weight-transactions`,
      message: { status: 'included', iteration_count: first.record.iteration_count },
    });
    expect(ours.find((e) => e.message.transaction_id === second.record.id)).toMatchObject({
      severity: 'WARNING',
      message: { status: 'rate-limited' },
    });
    expect(JSON.stringify(entries)).not.toContain('//Alice');
  });

  it('says and records that there is nothing new when the shares have not changed', async () => {
    expect((await cycle('first', recordingLogger(), 3_600_000)).result.status).toBe('included');
    await chain.advance(3);
    const log = recordingLogger();
    const second = await cycle('second', log, 3_600_000);
    expect(second.result).toMatchObject({ status: 'skipped', error_code: 'Unchanged' });
    expect(log.messages('INFO').some((l) => l.startsWith('Nothing new to publish'))).toBe(true);
    const [latest] = await recentTransactions(store.db, { limit: 1 });
    expect(latest).toMatchObject({
      status: 'skipped',
      error_code: 'Unchanged',
      trigger_ref: 'second',
    });
  });

  it('lists the history newest first, and the failures alone', async () => {
    await cycle('ok');
    await cycle('limited');
    const all = await recentTransactions(store.db, { limit: 10 });
    expect(all.map((t) => t.status)).toEqual(['rate-limited', 'included']);
    const failed = await recentTransactions(store.db, { limit: 10, failedOnly: true });
    expect(failed.map((t) => t.status)).toEqual(['rate-limited']);
  });
});
