import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG } from '../../functions/src/config/scoring';
import { openCommits } from '../../functions/src/publishing/commits';
import { publishWeights } from '../../functions/src/publishing/publish';
import { followUpCommits } from '../../functions/src/publishing/reveal';
import { runPublishCycle } from '../../functions/src/publishing/run';
import {
  devnetPublishConfig,
  sealOnSubmit,
  setupSubnet,
  startTestChain,
  type TestChain,
} from '../support/devnet';
import { testFirestore } from '../support/firestore';
import { recordingLogger } from '../support/logger';

const store = testFirestore('commit-reveal');
const NETUID = 42;
// Commit-reveal on, epochs of 10 blocks, reveal one epoch after the commit.
const CR = {
  commitRevealWeightsEnabled: true,
  tempo: 9,
  revealPeriodEpochs: 1,
  weightsSetRateLimit: 0,
};
let chain: TestChain;
let miners: string[];

const config = () => devnetPublishConfig(chain, NETUID);
const shares = () => ({ [miners[0]]: 0.75, [miners[1]]: 0.25 });
const weightsOnChain = async () =>
  (await chain.api.query.subtensorModule.weights(NETUID, 0)).toJSON() as Array<[number, number]>;
const best = () => chain.devnet.chain.best.number;
const publish = (log = recordingLogger()) =>
  publishWeights({ shares: shares(), signer: chain.alice, config: config(), log, db: store.db });

async function start(legacyRuntime: boolean) {
  chain = await startTestChain({
    finalityLag: 1,
    runtime: legacyRuntime ? 'hash-commit-reveal' : 'current',
  });
  sealOnSubmit(chain);
  miners = (await setupSubnet(chain, { netuid: NETUID, miners: 2, params: CR })).map(
    (p) => p.address,
  );
}

afterEach(async () => {
  chain.devnet.onRequest(undefined);
  await chain.stop();
  await store.clear();
});
afterAll(() => store.close());

describe('timelocked commits (current runtimes)', () => {
  beforeEach(() => start(false));

  it('commits to a drand round; devnet decrypts and applies exactly the intended weights', async () => {
    const log = recordingLogger();
    const result = await publish(log);
    expect(result).toMatchObject({
      status: 'included',
      mode: 'timelocked_commit',
      allocation: [
        { uid: 1, u16: 65535 },
        { uid: 2, u16: 21845 },
      ],
    });
    expect(Number(result.reveal_round)).toBeGreaterThan(0);
    expect(await weightsOnChain()).toEqual([]); // nothing applied at commit time
    expect(log.messages('INFO')).toContain(
      `🔒 Weights committed (timelocked_commit): from block ${result.first_reveal_block}, the chain reveals them at drand round ${result.reveal_round}`,
    );
    // Devnet reveals once the epoch has come and its beacon has reached the round.
    for (let i = 0; i < 40 && (await weightsOnChain()).length === 0; i++) await chain.advance();
    expect(await weightsOnChain()).toEqual([
      [1, 65535],
      [2, 21845],
    ]);
    expect(best()).toBeGreaterThanOrEqual(result.first_reveal_block ?? Infinity);
    // A later run sees the chain's reveal and links it to the commit.
    const followUps = await followUpCommits({
      db: store.db,
      config: config(),
      signer: chain.alice,
      log,
    });
    expect(followUps.map((f) => [f.commit.kind, f.outcome])).toEqual([['timelocked', 'revealed']]);
    expect(await openCommits(store.db, chain.alice.address, NETUID)).toEqual([]);
  });

  it('gives no weight to a uid re-registered to another hotkey between scoring and sending', async () => {
    await chain.control('setHyperparameter', 'commitRevealWeightsEnabled', NETUID, false);
    await chain.advance();
    let reads = 0;
    chain.devnet.onRequest((method) => {
      // Right after the publisher read the subnet, miner 2's uid goes to someone else.
      if (method === 'state_queryStorageAt' && ++reads === 1) {
        chain.devnet.controls.registerNeuron(
          NETUID,
          chain.keyring.addFromUri('//Usurper').address,
          2,
        );
        chain.devnet.chain.produceBlock();
      }
    });
    const log = recordingLogger();
    const result = await publish(log);
    expect(result).toMatchObject({
      status: 'included',
      reassigned_uids: [2],
      allocation: [{ uid: 1 }],
    });
    expect(await weightsOnChain()).toEqual([[1, 65535]]);
    expect(log.messages('WARN').some((l) => l.startsWith('Uid 2 moved from'))).toBe(true);
  });
});

describe('hash commits (older runtimes)', () => {
  beforeEach(() => start(true));

  it('keeps the reveal in Firestore, waits for the window, then reveals from a fresh run', async () => {
    const log = recordingLogger();
    const committed = await publish(log);
    expect(committed).toMatchObject({
      status: 'included',
      mode: 'commit',
      allocation: [{ uid: 1 }, { uid: 2 }],
    });
    const [pending] = await openCommits(store.db, chain.alice.address, NETUID);
    expect(pending).toMatchObject({
      kind: 'hash',
      id: committed.commit_id,
      status: 'committed',
      uids: [1, 2],
      values: [65535, 21845],
    });
    expect(pending.salt).toHaveLength(8);

    // Before the window: nothing is sent.
    const nonce = async () =>
      (await chain.api.rpc.system.accountNextIndex(chain.alice.address)).toNumber();
    const before = await nonce();
    const early = await followUpCommits({
      db: store.db,
      config: config(),
      signer: chain.alice,
      log,
    });
    expect(early.map((f) => [f.outcome, f.record, f.result.error_code])).toEqual([
      ['waiting', false, 'RevealNotYet'],
    ]);
    expect(early[0].result.reason).toContain(`opens at block ${committed.first_reveal_block}`);
    expect(await nonce()).toBe(before);

    // In the window, a run with nothing but Firestore (a restart, another instance) reveals.
    while (best() + 1 < (committed.first_reveal_block ?? 0)) await chain.advance();
    const [revealed] = await followUpCommits({
      db: store.db,
      config: config(),
      signer: chain.alice,
      log: recordingLogger(),
    });
    expect(revealed.outcome).toBe('revealed');
    expect(revealed.result).toMatchObject({
      mode: 'reveal',
      status: 'included',
      commit_id: committed.commit_id,
    });
    expect(revealed.result?.block_number).toBeGreaterThanOrEqual(
      committed.first_reveal_block ?? Infinity,
    );
    expect(revealed.result?.block_number).toBeLessThanOrEqual(committed.last_reveal_block ?? 0);
    expect(await weightsOnChain()).toEqual([
      [1, 65535],
      [2, 21845],
    ]);
    expect(await openCommits(store.db, chain.alice.address, NETUID)).toEqual([]);
  });

  it('keeps a commit open when the chain cannot be reached, for the next run to reveal', async () => {
    const committed = await publish();
    const unreachable = devnetPublishConfig(chain, NETUID, {
      endpoint: { network: 'custom', url: 'ws://127.0.0.1:1' },
    });
    const log = recordingLogger();
    const followUps = await followUpCommits({
      db: store.db,
      config: unreachable,
      signer: chain.alice,
      log,
    });
    expect(followUps.map((f) => [f.outcome, f.record, f.result.retryable])).toEqual([
      ['waiting', false, true],
    ]);
    expect((await openCommits(store.db, chain.alice.address, NETUID)).map((c) => c.id)).toEqual([
      committed.commit_id,
    ]);
  });

  it('records a missed window as a failure and sends nothing late', async () => {
    const log = recordingLogger();
    const committed = await publish(log);
    while (best() <= (committed.last_reveal_block ?? 0)) await chain.advance();
    const [missed] = await followUpCommits({
      db: store.db,
      config: config(),
      signer: chain.alice,
      log,
    });
    expect(missed.outcome).toBe('missed');
    expect(missed.result).toMatchObject({
      status: 'failed',
      error_code: 'RevealWindowMissed',
      mode: 'reveal',
    });
    expect(await weightsOnChain()).toEqual([]);
    expect(log.messages('WARN').some((l) => l.includes('not revealed'))).toBe(true);
  });

  it('the publish cycle records commit and reveal, and links the reveal to its commit', async () => {
    await store.db
      .collection('curated_leads')
      .doc('l1')
      .set({ curated_by: miners[0], source: miners[1], created_at: Timestamp.now() });
    const cycle = (holder: string) =>
      runPublishCycle({
        db: store.db,
        projectId: store.projectId,
        signer: chain.alice,
        scoring: DEFAULT_SCORING_CONFIG,
        publishing: config(),
        log: recordingLogger(),
        trigger: { kind: 'task', ref: holder },
        holder,
      });
    const first = await cycle('commit');
    expect(first.result).toMatchObject({ mode: 'commit', status: 'included' });
    while (best() + 1 < (first.result.first_reveal_block ?? 0)) await chain.advance();
    await cycle('reveal');
    const docs = (
      await store.db.collection('weight_transactions').orderBy('iteration_count').get()
    ).docs.map((d) => ({ id: d.id, ...d.data() }) as Record<string, unknown>);
    const reveal = docs.find((d) => d.mode === 'reveal');
    expect(reveal).toMatchObject({
      status: 'included',
      commit_transaction: first.record.id,
      commit_id: first.result.commit_id,
    });
    const commitDoc = docs.find((d) => d.id === first.record.id);
    expect(commitDoc).toMatchObject({
      mode: 'commit',
      reveal_status: 'revealed',
      revealed_block: reveal?.block_number,
    });
    expect(await weightsOnChain()).toEqual([
      [1, 65535],
      [2, 43690],
    ]);
  });
});
