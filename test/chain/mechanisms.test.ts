// Subnet mechanisms (issue 23, part 2): a devnet subnet with two mechanisms gets both mechanisms'
// weights on chain from one publish cycle, each with its own extrinsic and weight_transactions
// record naming its mechanism; a configuration naming a mechanism the subnet lacks is refused by
// name before anything is sent; the spec-218 profile has no mechanism items.
import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { publishConfigFromEnv } from '../../functions/src/config/publishing';
import { DEFAULT_SCORING_CONFIG } from '../../functions/src/config/scoring';
import { historyLines, recentTransactions } from '../../functions/src/publishing/history';
import { publishWeights } from '../../functions/src/publishing/publish';
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

const store = testFirestore('mechanisms');
let chain: TestChain;
let netuid = 500;
let miners: string[];

const env = (extra: Record<string, string> = {}) => ({
  SUBTENSOR_NETWORK: chain.devnet.url,
  NETUID: String(netuid),
  PUBLISH_ATTEMPTS: '1',
  ...extra,
});

const cycle = (extra: Record<string, string> = {}) =>
  runPublishCycle({
    db: store.db,
    projectId: store.projectId,
    signer: chain.alice,
    scoring: DEFAULT_SCORING_CONFIG,
    publishing: publishConfigFromEnv(env(extra)),
    log: recordingLogger(),
    trigger: { kind: 'cli', ref: 'test' },
    holder: 'mechanisms-test',
  });

const weightsAt = async (index: number) =>
  (await chain.api.query.subtensorModule.weights(index, 0)).toJSON() as Array<[number, number]>;

describe('on the current runtime profile', () => {
  beforeAll(async () => {
    chain = await startTestChain({ finalityLag: 1 });
    sealOnSubmit(chain);
  });
  afterAll(async () => {
    await chain.stop();
    await store.close();
  });
  beforeEach(async () => {
    await store.clear();
    netuid += 1;
    const pairs = await setupSubnet(chain, {
      netuid,
      miners: 2,
      params: { weightsSetRateLimit: 2 },
    });
    miners = pairs.map((p) => p.address);
    await store.db.collection('curated_leads').doc('lead-0').set({
      curated_by: miners[0],
      source: miners[1],
      created_at: Timestamp.now(),
    });
  });

  it('publishes every mechanism of a two-mechanism subnet, one extrinsic and one record each', async () => {
    await chain.control('setHyperparameter', 'mechanismCountCurrent', netuid, 2);
    await chain.control('setHyperparameter', 'mechanismEmissionSplit', netuid, [45875, 19660]);
    await chain.advance();
    const outcome = await cycle();
    expect(outcome.result).toMatchObject({
      status: 'included',
      mode: 'set_weights',
      mechanism: 0,
      mechanism_count: 2,
      emission_split: [45875, 19660],
    });
    expect(outcome.mechanisms).toHaveLength(1);
    const second = outcome.mechanisms?.[0];
    expect(second?.result).toMatchObject({ status: 'included', mechanism: 1, mechanism_count: 2 });
    expect(second?.record.id).not.toBe(outcome.record.id);

    // Both on chain: mechanism 0 at the netuid, mechanism 1 at netuid + 4096 (its storage index).
    const sent = outcome.result.allocation.map((row) => [row.uid, row.u16]);
    expect(await weightsAt(netuid)).toEqual(sent);
    expect(await weightsAt(netuid + 4096)).toEqual(sent);
    // The second went out as set_mechanism_weights(netuid, 1, …).
    const block = chain.devnet.chain.block(second?.result.block_number ?? -1);
    const call = chain.api.createType('Extrinsic', block?.extrinsics[0]).method;
    expect(`${call.section}.${call.method}`).toBe('subtensorModule.setMechanismWeights');
    expect(call.args[1].toString()).toBe('1');

    const records = await recentTransactions(store.db, { limit: 10 });
    const mine = records.filter((r) => r.trigger === 'cli');
    expect(mine.map((r) => r.mechanism).sort()).toEqual([0, 1]);
    expect(new Set(mine.map((r) => r.transaction_hash)).size).toBe(2);
    expect(mine.every((r) => r.status === 'included' && r.mechanism_count === 2)).toBe(true);
    expect(historyLines(mine).some((line) => line.includes(`netuid ${netuid} mech 1`))).toBe(true);
  });

  it('publishes only the configured mechanisms', async () => {
    await chain.control('setHyperparameter', 'mechanismCountCurrent', netuid, 3);
    await chain.advance();
    const outcome = await cycle({ PUBLISH_MECHANISMS: '0,2' });
    expect(outcome.result).toMatchObject({ status: 'included', mechanism: 0 });
    expect(outcome.mechanisms?.map((m) => [m.result.mechanism, m.result.status])).toEqual([
      [2, 'included'],
    ]);
    expect(await weightsAt(netuid + 2 * 4096)).not.toEqual([]);
    expect(await weightsAt(netuid + 4096)).toEqual([]);
  });

  it('refuses by name a configuration naming a mechanism the subnet lacks, sending nothing', async () => {
    const before = (await chain.api.rpc.system.accountNextIndex(chain.alice.address)).toNumber();
    const outcome = await cycle({ PUBLISH_MECHANISMS: '0,1' });
    expect(outcome.result).toMatchObject({
      status: 'failed',
      error_code: 'MechanismDoesNotExist',
      mechanism_count: 1,
    });
    expect(outcome.result.reason).toContain(`mechanism 1 is not on subnet ${netuid}`);
    expect(outcome.mechanisms).toBeUndefined();
    expect((await chain.api.rpc.system.accountNextIndex(chain.alice.address)).toNumber()).toBe(
      before,
    );
  });

  it('with one mechanism publishes as before: set_weights, one record', async () => {
    const outcome = await cycle();
    expect(outcome.result).toMatchObject({ status: 'included', mechanism: 0, mechanism_count: 1 });
    expect(outcome.mechanisms).toBeUndefined();
    const block = chain.devnet.chain.block(outcome.result.block_number ?? -1);
    const call = chain.api.createType('Extrinsic', block?.extrinsics[0]).method;
    expect(`${call.section}.${call.method}`).toBe('subtensorModule.setWeights');
  });

  it('commits each mechanism timelocked where commit-reveal is on; the chain applies both', async () => {
    await chain.control('setHyperparameter', 'mechanismCountCurrent', netuid, 2);
    await chain.control('setHyperparameter', 'commitRevealWeightsEnabled', netuid, true);
    await chain.control('setHyperparameter', 'tempo', netuid, 9);
    await chain.control('setHyperparameter', 'weightsSetRateLimit', netuid, 0);
    await chain.advance();
    const log = recordingLogger();
    const config = devnetPublishConfig(chain, netuid);
    const results = [];
    for (const mechanism of [0, 1]) {
      results.push(
        await publishWeights({
          shares: { [miners[0]]: 0.6, [miners[1]]: 0.4 },
          signer: chain.alice,
          config,
          log,
          db: store.db,
          sleep: async () => undefined,
          mechanism,
        }),
      );
    }
    expect(results.map((r) => [r.status, r.mode, r.mechanism])).toEqual([
      ['included', 'timelocked_commit', 0],
      ['included', 'timelocked_commit', 1],
    ]);
    const block = chain.devnet.chain.block(results[1].block_number ?? -1);
    const call = chain.api.createType('Extrinsic', block?.extrinsics[0]).method;
    expect(call.method).toBe('commitTimelockedMechanismWeights');
    // In the reveal epoch, once its drand round is out, devnet decrypts both and applies each at
    // its mechanism's storage index.
    for (let i = 0; i < 60 && (await weightsAt(netuid + 4096)).length === 0; i++)
      await chain.advance();
    const sent = results[0].allocation.map((row) => [row.uid, row.u16]);
    expect(await weightsAt(netuid)).toEqual(sent);
    expect(await weightsAt(netuid + 4096)).toEqual(sent);
  });
});

describe('on the hash-commit-reveal runtime profile (spec 218)', () => {
  it('has no mechanism storage or calls', async () => {
    const old = await startTestChain({ runtime: 'hash-commit-reveal' });
    try {
      const q = old.api.query.subtensorModule as Record<string, unknown>;
      const tx = old.api.tx.subtensorModule as Record<string, unknown>;
      expect(q.mechanismCountCurrent).toBeUndefined();
      expect(q.mechanismEmissionSplit).toBeUndefined();
      for (const call of [
        'setMechanismWeights',
        'commitMechanismWeights',
        'revealMechanismWeights',
        'commitTimelockedMechanismWeights',
      ])
        expect(tx[call]).toBeUndefined();
    } finally {
      await old.stop();
    }
  });
});
