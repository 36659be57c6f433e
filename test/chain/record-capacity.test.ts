// Issue 19, findings 1 and 4, through the publish task's handler on a devnet: a window naming tens
// of thousands of distinct unregistered hotkeys still publishes the registered miners' weights,
// with a bounded record (the allocation whole; the first 100 unregistered hotkeys and their count)
// and one aggregated warning line; and any failure in the handler leaves a weight_transactions
// record with a named error_code.
import { encodeAddress } from '@polkadot/util-crypto';
import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { DEFAULT_SCORING_CONFIG } from '../../functions/src/config/scoring';
import { canonicalHotkey } from '../../functions/src/leads/hotkey';
import { rebuildRollups } from '../../functions/src/rollups/rebuild';
import { calculateWeights } from '../../functions/src/scoring/calculate-weights';
import * as handlers from '../../functions/src/triggers/handlers';
import type { PublishTask, TaskQueue } from '../../functions/src/triggers/schedule-publish';
import { sealOnSubmit, setupSubnet, startTestChain, type TestChain } from '../support/devnet';
import { testFirestore } from '../support/firestore';
import { recordingLogger } from '../support/logger';
import { leadWriter } from '../support/rollups';

const store = testFirestore('record-capacity');
const writer = leadWriter(store.db);
let chain: TestChain;
let netuid = 500;
let miners: string[];
const SPAM = 25_000;
const spam = (i: number) =>
  encodeAddress(
    Uint8Array.from({ length: 32 }, (_, j) => (j < 4 ? (i >> (8 * j)) & 0xff : 9)),
    42,
  );

class RecordingQueue implements TaskQueue {
  readonly tasks = new Map<string, { task: PublishTask; at: number }>();
  async enqueue(task: PublishTask, scheduleAtMs: number, name = task.task_id) {
    if (!this.tasks.has(name)) this.tasks.set(name, { task, at: scheduleAtMs });
  }
}

let queue: RecordingQueue;
const deps = (log = recordingLogger(), env: Record<string, string> = {}) => ({
  db: store.db,
  projectId: store.projectId,
  queue,
  log,
  env: {
    SUBTENSOR_NETWORK: chain.devnet.url,
    NETUID: String(netuid),
    PUBLISH_ATTEMPTS: '1',
    ...env,
  },
  sleep: async () => undefined,
});
/** A publish requested as a curated lead requests it: the task the queue then holds. */
async function task(ref: string): Promise<PublishTask> {
  await handlers.onCuratedLead(deps(), ref);
  const tasks = [...queue.tasks.values()].map(({ task }) => task);
  const found = tasks.find((t) => t.trigger_ref === ref) ?? tasks.at(-1);
  if (!found) throw new Error('no task queued');
  return found;
}
const records = async () =>
  (await store.db.collection('weight_transactions').orderBy('iteration_count').get()).docs.map(
    (d) => d.data(),
  );

beforeAll(async () => {
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
  queue = new RecordingQueue();
  miners = (
    await setupSubnet(chain, { netuid, miners: 2, params: { weightsSetRateLimit: 1 } })
  ).map((p) => p.address);
  await rebuildRollups(writer.store, canonicalHotkey);
});

it('publishes the registered miners among 25,000 unregistered hotkeys, with a bounded record', async () => {
  const now = Date.now();
  const docs: Record<string, object> = {};
  // Across the window, several hundred distinct hotkeys a day, each its own lead.
  for (let i = 0; i < SPAM; i++) {
    docs[`spam-${i}`] = {
      curated_by: spam(i),
      source: spam(i),
      created_at: Timestamp.fromMillis(now - ((i * 7919) % (29 * 86_400)) * 1000 - 60e3),
    };
  }
  for (let i = 0; i < 4; i++) {
    docs[`honest-${i}`] = {
      curated_by: miners[i % 2],
      source: miners[(i + i * i) % 2],
      created_at: Timestamp.fromMillis(now - (i + 1) * 3600e3),
    };
  }
  await writer.put(docs);
  const log = recordingLogger();
  const outcome = await handlers.onPublishTask(deps(log), await task('capacity-1'), '//Alice');
  expect(outcome?.result.status).toBe('included');
  const [record] = await records();
  expect(record).toMatchObject({ status: 'included', success: true, uids: [1, 2] });
  expect(record.unregistered_hotkeys).toHaveLength(100);
  expect(record.unregistered_count).toBe(SPAM);
  expect(record.method).toBe('rollups');
  // The registered miners' shares are the full scan's.
  const scan = await calculateWeights({
    db: store.db,
    projectId: store.projectId,
    config: DEFAULT_SCORING_CONFIG,
    log: recordingLogger(),
    now: record.ts.toDate(),
    method: 'full_scan',
  });
  expect(record.weights).toEqual({
    '1': scan.weights_dict[miners[0]],
    '2': scan.weights_dict[miners[1]],
  });
  // One line per hotkey for the first few, then one line for the rest.
  const unregistered = log.messages('WARN').filter((m) => m.includes('not registered'));
  expect(unregistered.length).toBeLessThanOrEqual(6);
  expect(unregistered.at(-1)).toMatch(/24995 more miners are not registered .*25000 in all/);
}, 240_000);

it('records a scoring failure with a named error_code, and a failure anywhere in the handler', async () => {
  await writer.put({
    lead: { curated_by: miners[0], source: miners[1], created_at: Timestamp.now() },
  });
  // Scoring cannot read the rollups nor the leads: a scoring failure, recorded by the cycle.
  const real = store.db.collection.bind(store.db);
  const failing = (paths: string[], once = false) => {
    let thrown = false;
    return vi.spyOn(store.db, 'collection').mockImplementation((path: string) => {
      if (paths.includes(path) && !(once && thrown)) {
        thrown = true;
        throw new Error(`injected failure (${path})`);
      }
      return real(path);
    });
  };
  let spy = failing(['lead_rollups', 'curated_leads']);
  const scored = await handlers
    .onPublishTask(deps(), await task('bad-1'), '//Alice')
    .catch((error: unknown) => error);
  spy.mockRestore();
  expect(scored).toBeInstanceOf(Error); // retryable: Cloud Tasks retries it
  // A failure outside scoring and publishing: the first read of the audit trail throws.
  const second = await task('bad-2');
  spy = failing(['weight_transactions'], true);
  try {
    await expect(handlers.onPublishTask(deps(), second, '//Alice')).rejects.toThrow(
      'injected failure',
    );
  } finally {
    spy.mockRestore();
  }
  // A configuration the handler refuses.
  await expect(
    handlers.onPublishTask(
      deps(recordingLogger(), { CURATED_LEADS_COLLECTION: 'a/b/c' }),
      await task('bad-3'),
      '//Alice',
    ),
  ).rejects.toThrow(/top-level collection/);
  const [scoring, other] = await records();
  expect(scoring).toMatchObject({
    status: 'failed',
    error_code: 'ScoringFailed',
    trigger_ref: 'bad-1',
  });
  expect(scoring.error_message).toMatch(/^scoring failed: /);
  expect(other).toMatchObject({ status: 'failed', error_code: 'TaskFailed', trigger_ref: 'bad-2' });
  expect(other.error_message).toContain('injected failure');
}, 60_000);
