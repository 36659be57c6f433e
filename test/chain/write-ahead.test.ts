// No extrinsic without its record: the record is written before the extrinsic is sent, a retry
// sends the same signed bytes (never a new nonce), and a later run reconciles what it cannot know.
// Invariant: every weight extrinsic of the validator on chain has exactly one record with its hash
// and block, and no attempt has more than one extrinsic on chain.
import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG } from '../../functions/src/config/scoring';
import type { PublishConfig } from '../../functions/src/config/publishing';
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

const cycle = (publishing: Partial<PublishConfig> = {}, ref = 'task') =>
  runPublishCycle({
    db: store.db,
    projectId: store.projectId,
    signer: chain.alice,
    scoring: DEFAULT_SCORING_CONFIG,
    publishing: devnetPublishConfig(chain, NETUID, publishing),
    log: recordingLogger(),
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
});
