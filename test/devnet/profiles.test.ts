// Runtime profiles: each mirrors a real subtensor generation by its metadata and its behaviour.
// The `hash-commit-reveal` expectations were measured on the real spec-218 runtime
// (test/fixtures/realchain, run under chopsticks): metadata, defaults, errors, codes and check order.
import type { EventRecord } from '@polkadot/types/interfaces';
import { blake2AsHex } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Devnet } from '../../devnet/src/devnet';
import { subtensorCalls } from '../../devnet/src/metadata/build';
import { RUNTIME_PROFILES, runtimeProfile } from '../../devnet/src/profiles';
import { setupSubnet, startTestChain, submit, type TestChain } from '../support/devnet';

const NETUID = 3;

describe.each(RUNTIME_PROFILES)('runtime profile %s', (name) => {
  const profile = runtimeProfile(name);
  let chain: TestChain;
  beforeAll(async () => {
    chain = await startTestChain({ runtime: name });
    await setupSubnet(chain, { netuid: NETUID, miners: 2 });
  });
  afterAll(() => chain.stop());

  it('reports its spec version and the weight calls of its generation, at their real indices', () => {
    const { api } = chain;
    expect(api.runtimeVersion.specVersion.toNumber()).toBe(profile.specVersion);
    const calls = Object.fromEntries(
      Object.keys(api.tx.subtensorModule).map((method) => [
        api.tx.subtensorModule[method].meta.name.toString(),
        api.tx.subtensorModule[method].callIndex[1],
      ]),
    );
    expect(calls).toEqual(subtensorCalls(profile));
    expect(api.tx.subtensorModule.setWeights.callIndex[0]).toBe(7);
    expect(api.consts.aura.slotDuration.toString()).toBe('12000');
  });

  it('sets weights; a refusal is a module error named in its metadata', async () => {
    const { api } = chain;
    const ok = await submit(
      chain,
      api.tx.subtensorModule.setWeights(NETUID, [1, 2], [10, 20], 0),
      chain.alice,
    );
    expect(ok).toMatchObject({ error: undefined });
    expect(ok.events).toContain('subtensorModule.WeightsSet');
    const refused = await submit(
      chain,
      api.tx.subtensorModule.setWeights(NETUID, [1, 2], [10], 0),
      chain.alice,
    );
    expect(refused.error).toBe('subtensorModule.WeightVecNotEqualSize');
  });
});

describe('profile names', () => {
  it('lists the profiles', () => {
    expect(RUNTIME_PROFILES).toEqual(['current', 'hash-commit-reveal']);
    expect(runtimeProfile().name).toBe('current');
  });

  it('refuses an unknown profile, naming the known ones', async () => {
    await expect(Devnet.start({ runtime: 'legacy' as unknown as 'current' })).rejects.toThrow(
      'unknown runtime profile "legacy": one of "current", "hash-commit-reveal"',
    );
  });
});

describe('current profile', () => {
  let chain: TestChain;
  beforeAll(async () => {
    chain = await startTestChain();
  });
  afterAll(() => chain.stop());

  it('has the drand pallet, timelocked commits and the transaction extension', () => {
    const { api } = chain;
    expect(api.query.drand).toBeDefined();
    expect(api.query.subtensorModule.timelockedWeightCommits).toBeDefined();
    expect(api.query.subtensorModule.commitRevealWeightsVersion).toBeDefined();
    expect(api.query.subtensorModule.stakeThreshold).toBeDefined();
    expect(api.query.subtensorModule.mechanismCountCurrent).toBeDefined();
    expect(api.tx.subtensorModule.batchRevealWeights).toBeUndefined();
    expect(api.registry.signedExtensions).toContain('SubtensorTransactionExtension');
  });
});

describe('hash-commit-reveal profile (the spec-218 generation)', () => {
  let chain: TestChain;
  const tx = () => chain.api.tx.subtensorModule;
  const q = () => chain.api.query.subtensorModule;
  // tempo 9: an epoch is 10 blocks; reveals one epoch after the commit.
  const CR = { commitRevealWeightsEnabled: true, tempo: 9, weightsSetRateLimit: 0 };

  beforeAll(async () => {
    chain = await startTestChain({ runtime: 'hash-commit-reveal' });
    await setupSubnet(chain, { netuid: NETUID, miners: 3, params: CR });
  });
  afterAll(() => chain.stop());

  const hash = (uids: number[], values: number[], salt: number[], versionKey = 0) =>
    blake2AsHex(
      chain.api.registry
        .createType('(AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64)', [
          chain.alice.address,
          NETUID,
          uids,
          values,
          salt,
          versionKey,
        ])
        .toU8a(),
      256,
    );
  const commit = (uids: number[], values: number[], salt: number[]) =>
    submit(chain, tx().commitWeights(NETUID, hash(uids, values, salt)), chain.alice);
  const nextEpoch = () => chain.control('advanceToNextEpoch', NETUID);

  it('has the metadata of that runtime: no Drand, no timelocked items, batch_reveal_weights at 98', () => {
    const { api } = chain;
    expect(api.runtimeVersion.specVersion.toNumber()).toBe(218);
    expect(api.query.drand).toBeUndefined();
    expect(api.query.subtensorModule.commitRevealWeightsVersion).toBeUndefined();
    expect(api.query.subtensorModule.timelockedWeightCommits).toBeUndefined();
    expect(api.query.subtensorModule.mechanismCountCurrent).toBeUndefined();
    expect(api.query.subtensorModule.stakeThreshold).toBeUndefined();
    expect(api.query.subtensorModule.weightsMinStake).toBeDefined();
    expect(api.tx.subtensorModule.commitTimelockedWeights).toBeUndefined();
    expect(api.tx.subtensorModule.commitCrv3Weights).toBeUndefined();
    // As api.tx.subtensorModule.batchRevealWeights.meta reads on the real runtime.
    const meta = api.tx.subtensorModule.batchRevealWeights.meta;
    expect(meta.index.toNumber()).toBe(98);
    expect(meta.fields.map((f) => [f.name.toString(), f.typeName.toString()])).toEqual([
      ['netuid', 'u16'],
      ['uids_list', 'Vec<Vec<u16>>'],
      ['values_list', 'Vec<Vec<u16>>'],
      ['salts_list', 'Vec<Vec<u16>>'],
      ['version_keys', 'Vec<u64>'],
    ]);
    expect((meta.toJSON() as { args: unknown }).args).toEqual([
      { name: 'netuid', type: 'u16', typeName: 'u16' },
      { name: 'uidsList', type: 'Vec<Vec<u16>>', typeName: 'Vec<Vec<u16>>' },
      { name: 'valuesList', type: 'Vec<Vec<u16>>', typeName: 'Vec<Vec<u16>>' },
      { name: 'saltsList', type: 'Vec<Vec<u16>>', typeName: 'Vec<Vec<u16>>' },
      { name: 'versionKeys', type: 'Vec<u64>', typeName: 'Vec<u64>' },
    ]);
    expect(api.registry.signedExtensions).toEqual([
      'CheckNonZeroSender',
      'CheckSpecVersion',
      'CheckTxVersion',
      'CheckGenesis',
      'CheckMortality',
      'CheckNonce',
      'CheckWeight',
      'ChargeTransactionPayment',
      'SubtensorSignedExtension',
      'CommitmentsSignedExtension',
      'CheckMetadataHash',
    ]);
  });

  it('numbers errors and events as that runtime does', () => {
    const { errors, events } = chain.api;
    const index = (meta: { meta: { index: { toNumber(): number } } }) => meta.meta.index.toNumber();
    expect(index(errors.subtensorModule.SubNetworkDoesNotExist)).toBe(0);
    expect(index(errors.subtensorModule.NoWeightsCommitFound)).toBe(55);
    expect(index(errors.subtensorModule.CommittingWeightsTooFast)).toBe(96);
    expect(errors.subtensorModule.IncorrectCommitRevealVersion).toBeUndefined();
    expect(index(events.subtensorModule.WeightsSet)).toBe(4);
    expect(index(events.subtensorModule.WeightsBatchRevealed)).toBe(82);
    expect(events.subtensorModule.TimelockedWeightsRevealed).toBeUndefined();
  });

  it("reads that runtime's storage defaults", async () => {
    const json = async (p: Promise<{ toJSON(): unknown }>) => (await p).toJSON();
    expect(await json(q().tempo(999))).toBe(30);
    expect(await json(q().minAllowedWeights(999))).toBe(1024);
    expect(await json(q().maxWeightsLimit(999))).toBe(1000);
    expect(await json(q().commitRevealWeightsEnabled(999))).toBe(false);
    expect(await json(q().weightsSetRateLimit(999))).toBe(100);
    expect(await json(q().weightsMinStake())).toBe(0);
    // A subnet created without parameters starts as that runtime registers one.
    await chain.control('createSubnet', { netuid: 50 });
    await chain.advance();
    expect(await json(q().tempo(50))).toBe(30);
    expect(await json(q().commitRevealWeightsEnabled(50))).toBe(false);
  });

  it('names a missing subnet SubNetworkDoesNotExist; commits on it are CommitRevealDisabled', async () => {
    expect((await submit(chain, tx().setWeights(77, [1], [1], 0), chain.alice)).error).toBe(
      'subtensorModule.SubNetworkDoesNotExist',
    );
    expect((await submit(chain, tx().setWeights(77, [1, 2], [1], 0), chain.alice)).error).toBe(
      'subtensorModule.WeightVecNotEqualSize',
    );
    expect(
      (await submit(chain, tx().commitWeights(77, `0x${'11'.repeat(32)}`), chain.alice)).error,
    ).toBe('subtensorModule.CommitRevealDisabled');
  });

  it('rejects weight calls below WeightsMinStake with its codes per call (owner not exempt)', async () => {
    await chain.control('setHyperparameter', 'subnetOwnerHotkey', NETUID, chain.alice.address);
    await chain.control('setHyperparameter', 'weightsMinStake', null, 2_000_000_000);
    await chain.advance();
    try {
      const refused = async (call: Parameters<typeof submit>[1]) =>
        submit(chain, call, chain.alice).then(
          () => 'accepted',
          (error: Error) => error.message,
        );
      expect(await refused(tx().setWeights(NETUID, [1], [1], 0))).toMatch(/Custom error: 3/);
      expect(await refused(tx().commitWeights(NETUID, `0x${'11'.repeat(32)}`))).toMatch(
        /Custom error: 1/,
      );
      expect(await refused(tx().revealWeights(NETUID, [1], [1], [1], 0))).toMatch(
        /Custom error: 2/,
      );
      // batch_reveal_weights is not checked at submission: it fails in the block instead.
      expect(
        (
          await submit(
            chain,
            tx().batchRevealWeights(NETUID, [[1]], [[1]], [[1]], [0]),
            chain.alice,
          )
        ).error,
      ).toBe('subtensorModule.NoWeightsCommitFound');
    } finally {
      // `stakeThreshold` names the runtime's own item, whatever it is called.
      await chain.control('setHyperparameter', 'stakeThreshold', null, 0);
      await chain.advance();
    }
    expect((await q().weightsMinStake()).toJSON()).toBe(0);
  });

  it('a reveal drops the older commits with it and leaves LastUpdate as the commit set it', async () => {
    await nextEpoch();
    const first = await commit([1], [5], [1]);
    await commit([2], [6], [2]);
    const lastUpdate = (await q().lastUpdate(NETUID)).toJSON() as number[];
    await nextEpoch();
    const revealed = await submit(chain, tx().revealWeights(NETUID, [2], [6], [2], 0), chain.alice);
    expect(revealed.events).toEqual([
      'subtensorModule.WeightsSet',
      'subtensorModule.WeightsRevealed',
      'system.ExtrinsicSuccess',
    ]);
    expect((await q().weightCommits(NETUID, chain.alice.address)).toJSON()).toBeNull();
    expect((await q().lastUpdate(NETUID)).toJSON()).toEqual(lastUpdate);
    expect(first.error).toBeUndefined();
    // The first commit went with the second: its reveal no longer matches anything.
    expect(
      (await submit(chain, tx().revealWeights(NETUID, [1], [5], [1], 0), chain.alice)).error,
    ).toBe('subtensorModule.NoWeightsCommitFound');
  });

  it('batch_reveal_weights: lists of one length, all or nothing, one WeightsBatchRevealed', async () => {
    await nextEpoch();
    await commit([1, 2], [7, 8], [3]);
    await commit([3], [9], [4]);
    const batch = (uids: number[][], values: number[][], salts: number[][], keys: number[]) =>
      submit(chain, tx().batchRevealWeights(NETUID, uids, values, salts, keys), chain.alice);
    expect((await batch([[1]], [[1], [2]], [[1]], [0])).error).toBe(
      'subtensorModule.InputLengthsUnequal',
    );
    expect((await batch([[1, 2], [3]], [[7, 8], [9]], [[3], [4]], [0, 0])).error).toBe(
      'subtensorModule.RevealTooEarly',
    );
    await nextEpoch();
    // One wrong reveal fails the whole batch: nothing is applied.
    expect((await batch([[1, 2], [3]], [[7, 8], [9]], [[3], [99]], [0, 0])).error).toBe(
      'subtensorModule.InvalidRevealCommitHashNotMatch',
    );
    expect((await q().weightCommits(NETUID, chain.alice.address)).toJSON()).toHaveLength(2);
    const outcome = await batch([[1, 2], [3]], [[7, 8], [9]], [[3], [4]], [0, 0]);
    expect(outcome.error).toBeUndefined();
    expect(outcome.events).toEqual([
      'subtensorModule.WeightsSet',
      'subtensorModule.WeightsSet',
      'subtensorModule.WeightsBatchRevealed',
      'system.ExtrinsicSuccess',
    ]);
    // In order: the last reveal's weights are the ones left.
    expect((await q().weights(NETUID, 0)).toJSON()).toEqual([[3, 65535]]);
    expect((await q().weightCommits(NETUID, chain.alice.address)).toJSON()).toBeNull();
    const events = (await chain.api.query.system.events.at(
      outcome.blockHash,
    )) as unknown as EventRecord[];
    const batchEvent = events.find(({ event }) => event.method === 'WeightsBatchRevealed');
    expect(batchEvent?.event.data.toJSON()).toEqual([
      chain.alice.address,
      NETUID,
      [hash([1, 2], [7, 8], [3]), hash([3], [9], [4])],
    ]);
  });

  it('an expired commit is named ExpiredWeightCommit and stays stored (the call failed)', async () => {
    await nextEpoch();
    await commit([1], [4], [4]);
    await nextEpoch();
    await nextEpoch();
    expect(
      (await submit(chain, tx().revealWeights(NETUID, [1], [4], [4], 0), chain.alice)).error,
    ).toBe('subtensorModule.ExpiredWeightCommit');
    expect((await q().weightCommits(NETUID, chain.alice.address)).toJSON()).toHaveLength(1);
  });
});
