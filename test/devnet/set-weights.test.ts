import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupSubnet, startTestChain, submit, type TestChain } from '../support/devnet';

const NETUID = 7;
let chain: TestChain;

beforeAll(async () => {
  chain = await startTestChain();
  await setupSubnet(chain, { netuid: NETUID, miners: 4, params: { weightsSetRateLimit: 3 } });
});
afterAll(() => chain.stop());

const setWeights = (uids: number[], values: number[], netuid = NETUID, versionKey = 0) =>
  chain.api.tx.subtensorModule.setWeights(netuid, uids, values, versionKey);

describe('set_weights', () => {
  it('stores weights, max-upscaled, updates LastUpdate and emits WeightsSet', async () => {
    const outcome = await submit(chain, setWeights([1, 2, 3], [300, 150, 100]), chain.alice);
    expect(outcome.error).toBeUndefined();
    expect(outcome.events).toEqual(['subtensorModule.WeightsSet', 'system.ExtrinsicSuccess']);
    const stored = await chain.api.query.subtensorModule.weights(NETUID, 0);
    expect(stored.toJSON()).toEqual([
      [1, 65535],
      [2, 32768],
      [3, 21845],
    ]);
    const header = await chain.api.rpc.chain.getHeader(outcome.blockHash);
    const lastUpdate = (
      await chain.api.query.subtensorModule.lastUpdate(NETUID)
    ).toJSON() as number[];
    expect(lastUpdate[0]).toBe(header.number.toNumber());
  });

  it('refuses a second set within the rate limit, then accepts it once the limit has passed', async () => {
    expect((await submit(chain, setWeights([1], [1]), chain.alice)).error).toBe(
      'subtensorModule.SettingWeightsTooFast',
    );
    await chain.advance(3);
    expect((await submit(chain, setWeights([1, 2], [1, 1]), chain.alice)).error).toBeUndefined();
  });
});

describe('the check order of set_weights, each refusal decoded by name', () => {
  const ERRORS = 9;
  let miner1: import('@polkadot/keyring/types').KeyringPair;
  let outsider: import('@polkadot/keyring/types').KeyringPair;

  beforeAll(async () => {
    [miner1] = await setupSubnet(chain, {
      netuid: ERRORS,
      miners: 4,
      params: { weightsSetRateLimit: 0, minAllowedWeights: 2, weightsVersionKey: 5 },
    });
    outsider = chain.keyring.addFromUri('//Outsider');
    await chain.control('endowAccount', outsider.address);
    await chain.control('createSubnet', {
      netuid: 10,
      maxWeightsLimit: 32768,
      // Alice registers just below: no rate limit, so that the weights themselves are judged.
      weightsSetRateLimit: 0,
      commitRevealWeightsEnabled: false,
    });
    await chain.control('createSubnet', { netuid: 11 }); // commit-reveal on, as on current runtimes
    await chain.control('createSubnet', { netuid: 12, commitRevealWeightsEnabled: false });
    await chain.control('setHyperparameter', 'mechanismCountCurrent', 12, 0);
    for (const netuid of [10, 11]) {
      await chain.control('registerNeuron', netuid, chain.alice.address);
      await chain.control('registerNeuron', netuid, miner1.address);
      await chain.control('setValidatorPermit', netuid, 0, true);
    }
    await chain.advance();
  });

  const cases: Array<
    [
      string,
      () => Parameters<typeof setWeights>,
      () => import('@polkadot/keyring/types').KeyringPair,
    ]
  > = [
    ['CommitRevealEnabled', () => [[1], [1], 11, 5], () => chain.alice],
    ['CanNotSetRootNetworkWeights', () => [[1, 2], [1, 1], 0, 5], () => chain.alice],
    ['WeightVecNotEqualSize', () => [[1, 2], [1], ERRORS, 5], () => chain.alice],
    ['MechanismDoesNotExist', () => [[1, 2], [1, 1], 12, 5], () => chain.alice],
    [
      'UidsLengthExceedUidsInSubNet',
      () => [[0, 1, 2, 3, 4, 5], [1, 1, 1, 1, 1, 1], ERRORS, 5],
      () => chain.alice,
    ],
    ['HotKeyNotRegisteredInSubNet', () => [[1, 2], [1, 1], ERRORS, 5], () => outsider],
    ['IncorrectWeightVersionKey', () => [[1, 2], [1, 1], ERRORS, 4], () => chain.alice],
    ['NeuronNoValidatorPermit', () => [[2, 3], [1, 1], ERRORS, 5], () => miner1],
    ['DuplicateUids', () => [[1, 1], [1, 1], ERRORS, 5], () => chain.alice],
    ['UidVecContainInvalidOne', () => [[1, 9], [1, 1], ERRORS, 5], () => chain.alice],
    ['WeightVecLengthIsLow', () => [[1], [1], ERRORS, 5], () => chain.alice],
    ['MaxWeightExceeded', () => [[0, 1], [3, 1], 10, 0], () => chain.alice],
  ];

  it.each(cases)('%s', async (name, args, signer) => {
    const outcome = await submit(chain, setWeights(...args()), signer());
    expect(outcome.error).toBe(`subtensorModule.${name}`);
    expect(outcome.events).toEqual(['system.ExtrinsicFailed']);
  });

  it('NotEnoughStakeToSetWeights, when the threshold rises after submission', async () => {
    const outcome = await submit(chain, setWeights([1, 2], [1, 1], ERRORS, 5), chain.alice, {
      beforeBlock: async () => {
        await chain.control('setHyperparameter', 'stakeThreshold', null, 2_000_000_000);
      },
    });
    await chain.control('setHyperparameter', 'stakeThreshold', null, 0);
    await chain.advance();
    expect(outcome.error).toBe('subtensorModule.NotEnoughStakeToSetWeights');
  });

  it('accepts a lone self-weight without a permit', async () => {
    const outcome = await submit(chain, setWeights([1], [1], ERRORS, 5), miner1);
    expect(outcome.error).toBeUndefined();
  });
});

describe('refusals at submission (1010), as a node reports them', () => {
  it('rejects a weight call from a hotkey below StakeThreshold with Custom(1)', async () => {
    await chain.control('setHyperparameter', 'stakeThreshold', null, 2_000_000_000);
    await chain.advance(); // development changes take effect in the next block
    try {
      await expect(setWeights([1, 2], [1, 1]).signAndSend(chain.alice)).rejects.toThrow(
        '1010: Invalid Transaction: Custom error: 1',
      );
    } finally {
      await chain.control('setHyperparameter', 'stakeThreshold', null, 0);
      await chain.advance();
    }
  });

  it('rejects every submission with the injected custom error', async () => {
    await chain.control('refuseSubmissions', 6);
    try {
      await expect(setWeights([1, 2], [1, 1]).signAndSend(chain.alice)).rejects.toThrow(
        '1010: Invalid Transaction: Custom error: 6',
      );
    } finally {
      await chain.control('refuseSubmissions', null);
    }
  });

  it('rejects a bad signature', async () => {
    const signed = await setWeights([1, 2], [1, 1]).signAsync(chain.alice);
    const bytes = signed.toU8a();
    const signer = bytes.findIndex((_, i) =>
      chain.alice.publicKey.every((b, j) => bytes[i + j] === b),
    );
    bytes[signer + 32 + 1 + 10] ^= 0xff; // a byte of the sr25519 signature (after the MultiSignature tag)
    await expect(chain.api.rpc.author.submitExtrinsic(bytes)).rejects.toThrow(
      '1010: Invalid Transaction: Transaction has a bad signature',
    );
  });

  it('rejects a stale nonce', async () => {
    await chain.advance(10);
    await expect(setWeights([1, 2], [1, 1]).signAndSend(chain.alice, { nonce: 0 })).rejects.toThrow(
      '1010: Invalid Transaction: Transaction is outdated',
    );
  });

  it('rejects a second extrinsic with the same nonce while the first waits (priority too low)', async () => {
    const nonce = (await chain.api.rpc.system.accountNextIndex(chain.alice.address)).toNumber();
    await setWeights([1, 2], [1, 1]).signAndSend(chain.alice, { nonce });
    await expect(setWeights([1, 2], [2, 1]).signAndSend(chain.alice, { nonce })).rejects.toThrow(
      '1014: Priority is too low',
    );
    await chain.advance();
  });
});
