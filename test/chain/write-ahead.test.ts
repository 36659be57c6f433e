// No extrinsic without its record: the record is written before the extrinsic is sent, a retry
// sends the same signed bytes (never a new nonce), and a later run reconciles what it cannot know.
// Invariant: every weight extrinsic of the validator on chain has exactly one record with its hash
// and block, and no attempt has more than one extrinsic on chain.
import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG } from '../../functions/src/config/scoring';
import type { PublishConfig } from '../../functions/src/config/publishing';
import { recordAttempt } from '../../functions/src/publishing/audit';
import type { PublishResult } from '../../functions/src/publishing/result';
import { runPublishCycle } from '../../functions/src/publishing/run';
import {
  devnetPublishConfig,
  sealOnSubmit,
  setupSubnet,
  startTestChain,
  type TestChain,
} from '../support/devnet';
import { spawnWeights } from '../support/cli';
import { testFirestore } from '../support/firestore';
import { recordingLogger } from '../support/logger';
import { waitFor } from '../support/wait';

const NETUID = 91;
const store = testFirestore('write-ahead');
let chain: TestChain;

beforeEach(async () => {
  chain = await startTestChain({ finalityLag: 0 });
  sealOnSubmit(chain);
  const miners = await setupSubnet(chain, {
    netuid: NETUID,
    miners: 2,
    params: { weightsSetRateLimit: 0 },
  });
  const at = Timestamp.fromMillis(Date.now() - 3_600e3);
  await store.db
    .collection('curated_leads')
    .doc('a')
    .set({ curated_by: miners[0].address, source: miners[1].address, created_at: at });
});
afterEach(async () => {
  await chain.stop();
  await store.clear();
});
afterAll(() => store.close());

const cycle = (publishing: Partial<PublishConfig> = {}, ref = 'task', log = recordingLogger()) =>
  runPublishCycle({
    db: store.db,
    projectId: store.projectId,
    signer: chain.alice,
    scoring: DEFAULT_SCORING_CONFIG,
    publishing: devnetPublishConfig(chain, NETUID, publishing),
    log,
    trigger: { kind: 'task', ref },
    holder: `${ref}/worker`,
  });

const records = async () =>
  (await store.db.collection('weight_transactions').orderBy('iteration_count').get()).docs.map(
    (doc) => ({ id: doc.id, ...doc.data() }) as Record<string, unknown> & { id: string },
  );

/** The validator's weight extrinsics in every block: hash and block number. */
function validatorExtrinsicsOnChain(): Array<{ hash: string; block: number }> {
  const found: Array<{ hash: string; block: number }> = [];
  for (let n = 1; n <= chain.devnet.chain.best.number; n++) {
    for (const raw of chain.devnet.chain.block(n)?.extrinsics ?? []) {
      const ex = chain.api.createType('Extrinsic', raw);
      if (ex.isSigned && ex.signer.toString() === chain.alice.address)
        found.push({ hash: ex.hash.toHex(), block: n });
    }
  }
  return found;
}

async function expectInvariant() {
  const onChain = validatorExtrinsicsOnChain();
  const docs = await records();
  for (const { hash, block } of onChain) {
    const matching = docs.filter((d) => d.transaction_hash === hash);
    expect(matching, `records of ${hash}`).toHaveLength(1);
    expect(matching[0].block_number).toBe(block);
    expect(['included', 'finalized', 'failed']).toContain(matching[0].status);
  }
  // No attempt (record) has more than one extrinsic on chain: hashes on chain are distinct records.
  expect(new Set(onChain.map((e) => e.hash)).size).toBe(onChain.length);
  return { onChain, docs };
}

describe('write-ahead and reconcile', () => {
  it('a stalled chain through timeouts: one signed extrinsic, re-sent, recorded, reconciled once it lands', async () => {
    await chain.control('stall', true);
    const first = await cycle({ attempts: 3, inclusionTimeoutMs: 300, retryBaseDelayMs: 0 });
    expect(first.result).toMatchObject({ status: 'failed', error_code: 'Timeout', attempts: 3 });
    const [record] = await records();
    expect(record).toMatchObject({
      status: 'failed',
      unresolved: true,
      transaction_hash: first.result.extrinsic_hash,
      nonce: 0,
    });
    expect(Number(record.era_end) - Number(record.era_start)).toBe(127);
    // Three attempts, one nonce: the pool holds a single extrinsic of the validator.
    expect(chain.devnet.chain.pendingExtrinsics()).toHaveLength(1);

    await chain.control('stall', false);
    await chain.advance(); // the pooled extrinsic lands
    const second = await cycle({}, 'task-2');
    const docs = await records();
    expect(docs[0]).toMatchObject({
      id: record.id,
      status: 'included',
      unresolved: false,
      late: true,
      success: true,
    });
    expect(docs[0].extrinsic_hex).toBeUndefined();
    expect(second.result.status).toMatch(/included|finalized/);
    const { onChain } = await expectInvariant();
    expect(onChain).toHaveLength(2);
  });

  it('a run that died waiting for inclusion: the next run finds its extrinsic and completes the record', async () => {
    await chain.control('stall', true);
    const child = spawnWeights(['publish'], {
      FIRESTORE_EMULATOR_HOST: store.host,
      GCLOUD_PROJECT: store.projectId,
      SUBTENSOR_NETWORK: chain.devnet.url,
      NETUID: String(NETUID),
      VALIDATOR_HOTKEY: '//Alice',
      CHAIN_INCLUSION_TIMEOUT_MS: '60000',
    });
    try {
      // The write-ahead record exists before the extrinsic reaches the node.
      await waitFor(async () => (await records()).some((d) => d.status === 'submitting'));
      await waitFor(async () => chain.devnet.chain.pendingExtrinsics().length === 1);
    } finally {
      child.kill('SIGKILL');
    }
    const [opened] = await records();
    expect(opened).toMatchObject({ status: 'submitting', unresolved: true, trigger: 'cli' });
    expect(opened.transaction_hash).toMatch(/^0x[0-9a-f]{64}$/);

    await chain.control('stall', false);
    await chain.advance();
    // The dead run's lease is still held: the next run waits for it to expire (here: released).
    await store.db.doc('validator_state/publisher').set({ lease: null }, { merge: true });
    await cycle({}, 'task-after-crash');
    const [reconciled] = await records();
    expect(reconciled).toMatchObject({ id: opened.id, status: 'included', late: true });
    await expectInvariant();
  });

  it('an extrinsic that never reaches a block is dropped once its era has passed', async () => {
    await chain.control('stall', true);
    await cycle({ attempts: 1, inclusionTimeoutMs: 300 });
    const [sent] = await records();
    // The node loses its pool (a restart): the extrinsic can no longer land.
    chain.devnet.chain.clearPool();
    await chain.control('stall', false);
    const held = await cycle({}, 'held');
    expect(held.result).toMatchObject({ status: 'skipped', error_code: 'SubmissionPending' });
    // Still in its era, so it is sent again: the same bytes land.
    await chain.advance();
    const later = await cycle({}, 'later');
    expect((await records()).find((d) => d.id === sent.id)).toMatchObject({ status: 'included' });
    expect(later.result.status).toMatch(/included|finalized/);
    await expectInvariant();
  });

  it('a connection dropped after the write-ahead: the retry sends the same bytes, never a new nonce', async () => {
    await chain.control('stall', true);
    const run = cycle({ attempts: 2, inclusionTimeoutMs: 1500, retryBaseDelayMs: 0 });
    await waitFor(async () => (await records()).some((d) => d.status === 'submitting'));
    await waitFor(async () => chain.devnet.chain.pendingExtrinsics().length === 1);
    chain.devnet.controls.dropConnections();
    const first = await run;
    // The second attempt re-sent the first one's extrinsic: one record, one nonce, one in the pool.
    expect(first.result).toMatchObject({ status: 'failed', attempts: 2, nonce: 0 });
    const docs = await records();
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({
      unresolved: true,
      nonce: 0,
      transaction_hash: first.result.extrinsic_hash,
    });
    expect(chain.devnet.chain.pendingExtrinsics()).toHaveLength(1);

    await chain.control('stall', false);
    await chain.advance();
    await cycle({}, 'after-drop');
    expect((await records())[0]).toMatchObject({ id: docs[0].id, status: 'included', late: true });
    await expectInvariant();
  });

  it('completing a record never erases what it says was sent', async () => {
    const base: PublishResult = {
      status: 'submitting',
      mode: 'set_weights',
      network: 'local',
      endpoint: 'ws://127.0.0.1',
      netuid: NETUID,
      validator_hotkey: chain.alice.address,
      allocation: [],
      unregistered_hotkeys: [],
      attempts: 1,
      timings: { total_ms: 0 },
    };
    const sent = {
      extrinsic_hash: `0x${'ab'.repeat(32)}`,
      nonce: 7,
      era_start: 10,
      era_end: 137,
      genesis_hash: `0x${'cd'.repeat(32)}`,
      extrinsic_hex: '0x1234',
    };
    const attempt = (result: PublishResult) => ({
      result,
      trigger: { kind: 'task' as const, ref: 'merge' },
      startedAtMs: Date.now(),
      finishedAtMs: Date.now(),
    });
    const opened = await recordAttempt(store.db, attempt({ ...base, ...sent }));
    // The last attempt could not even connect: its outcome knows nothing of what was sent.
    const failure = { ...base, status: 'failed' as const, error_code: 'ConnectionFailed' };
    await recordAttempt(store.db, attempt({ ...failure, retryable: true }), undefined, opened.id);
    const [stored] = await records();
    expect(stored).toMatchObject({
      id: opened.id,
      status: 'failed',
      error_code: 'ConnectionFailed',
      transaction_hash: sent.extrinsic_hash,
      nonce: 7,
      era_start: 10,
      era_end: 137,
      genesis_hash: sent.genesis_hash,
      extrinsic_hex: '0x1234',
      unresolved: true,
    });
  });

  it('an unresolved record from another chain is dropped at once as a reset, and publishing goes on', async () => {
    await chain.control('stall', true);
    await cycle({ attempts: 1, inclusionTimeoutMs: 300 });
    const [sent] = await records();
    expect(sent.genesis_hash).toBe(chain.api.genesisHash.toHex());
    expect(sent.checkpoint_block).toBe(Number(sent.era_start));
    chain.devnet.chain.clearPool();
    await chain.control('stall', false);
    // A history restored after a reset: the record names another chain.
    await store.db
      .doc(`weight_transactions/${sent.id}`)
      .update({ genesis_hash: `0x${'11'.repeat(32)}` });
    const next = await cycle({}, 'after-reset');
    expect((await records()).find((d) => d.id === sent.id)).toMatchObject({
      status: 'dropped',
      error_code: 'ChainReset',
      unresolved: false,
    });
    expect(next.result.status).toMatch(/included|finalized/);
  });

  it('an unresolved record whose signing block is not in this chain is dropped as a reset', async () => {
    await chain.control('stall', true);
    await cycle({ attempts: 1, inclusionTimeoutMs: 300 });
    const [sent] = await records();
    chain.devnet.chain.clearPool();
    await chain.control('stall', false);
    // Same genesis (a dev chain restarted from its spec), other blocks.
    await store.db
      .doc(`weight_transactions/${sent.id}`)
      .update({ checkpoint_hash: `0x${'22'.repeat(32)}` });
    const next = await cycle({}, 'after-restart');
    const dropped = (await records()).find((d) => d.id === sent.id);
    expect(dropped).toMatchObject({ status: 'dropped', error_code: 'ChainReset' });
    expect(String(dropped?.error_message)).toMatch(/is not in this chain/);
    expect(next.result.status).toMatch(/included|finalized/);
  });

  it("a stall past the node's state window: found in block bodies, its outcome inferred from current state", async () => {
    await chain.control('stall', true);
    await cycle({ attempts: 1, inclusionTimeoutMs: 300 });
    const [sent] = await records();
    await chain.control('stall', false);
    await chain.advance(); // the pooled extrinsic lands
    const landed = chain.devnet.chain.best.number;
    // The node keeps 2 blocks of state; the inclusion block's is gone.
    await chain.control('setStateWindow', 2);
    await chain.advance(5);
    const next = await cycle({}, 'after-prune');
    const reconciled = (await records()).find((d) => d.id === sent.id);
    expect(reconciled).toMatchObject({
      status: 'included',
      success: true,
      late: true,
      unresolved: false,
      block_number: landed,
    });
    expect(String(reconciled?.outcome_inferred)).toMatch(/no longer has block .*Weights row/);
    // Publishing goes on: nothing waits for a question the node cannot answer.
    expect(next.result.status).toMatch(/included|finalized/);
    await expectInvariant();
  });
});
