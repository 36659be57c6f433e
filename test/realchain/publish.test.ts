// The publisher against the real subtensor runtime (spec 218), run offline by chopsticks: every
// block here is built by the runtime's own wasm, so what it accepts and how it refuses is the real
// chain's, not a model of it. One chain for the file; each test leaves subnet 1 as it found it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PublishConfig } from '../../functions/src/config/publishing';
import { publishWeights } from '../../functions/src/publishing/publish';
import type { PublishResult } from '../../functions/src/publishing/result';
import { recordingLogger } from '../support/logger';
import {
  LANDED,
  big,
  hyperparameter,
  NETUID,
  neurons,
  num,
  permits,
  prepareSubnet,
  realchainPublishConfig,
  setStorageNow,
  startRealChain,
  TAO,
  weightsOf,
  type RealChain,
  type StorageWrite,
  type Subnet,
} from '../support/realchain';

let chain: RealChain;
let subnet: Subnet;

/** What each test starts from: no rate limit, at least one weight, no version key, no stake needed. */
const BASELINE = {
  WeightsSetRateLimit: 0,
  MinAllowedWeights: 1,
  MaxWeightsLimit: 65535,
  WeightsVersionKey: 0,
  CommitRevealWeightsEnabled: false,
};

beforeAll(async () => {
  chain = await startRealChain();
  subnet = await prepareSubnet(chain, { miners: 3, hyperparameters: BASELINE });
});
afterAll(() => chain?.stop());
// Back to the baseline at the best block, where the next publish reads (no block needed), with
// every neuron's permit as this runtime's per-block epoch leaves it.
afterEach(async () => {
  chain.stopSealing();
  await chain.setStorage(
    ...Object.entries(BASELINE).map(([item, value]) => hyperparameter(item, value)),
    ['SubtensorModule', 'WeightsMinStake', [], 0],
    ['SubtensorModule', 'Uids', [NETUID, subnet.validator.address], subnet.validatorUid],
    permits(await neurons(chain), [0, 1, 2, 3, 4]),
  );
});

const shares = () => ({
  [subnet.miners[0].address]: 0.5,
  [subnet.miners[1].address]: 0.3,
  [subnet.miners[2].address]: 0.2,
});

/** Publishes as //Alice; a block is built on submission, after `beforeBlock` changed the chain. */
async function publish(
  overrides: Partial<PublishConfig> = {},
  options: {
    shares?: Record<string, number>;
    beforeBlock?: () => Promise<void>;
    signer?: Subnet['validator'];
  } = {},
) {
  const log = recordingLogger();
  chain.sealOnSubmit(options.beforeBlock);
  try {
    const result = await publishWeights({
      shares: options.shares ?? shares(),
      signer: options.signer ?? subnet.validator,
      config: realchainPublishConfig(chain, overrides),
      log,
      sleep: async () => undefined,
    });
    return { result, log };
  } finally {
    chain.stopSealing();
  }
}

/** A storage change applied in this process right before the block is built. */
const change =
  (...writes: StorageWrite[]) =>
  () =>
    setStorageNow(chain, ...writes);

const sent = (result: PublishResult) => result.allocation.map((row) => [row.uid, row.u16]);

const nonce = async () =>
  (await chain.api.rpc.system.accountNextIndex(subnet.validator.address)).toNumber();

/** `section.Method` of the events of one extrinsic of a block, and its module error's name. */
async function extrinsicEvents(blockHash: string, index: number) {
  const at = await chain.api.at(blockHash);
  const records = await at.query.system.events();
  const mine = records.filter(
    (r) => r.phase.isApplyExtrinsic && r.phase.asApplyExtrinsic.toNumber() === index,
  );
  let error: string | undefined;
  for (const { event } of mine) {
    if (chain.api.events.system.ExtrinsicFailed.is(event)) {
      const failure = event.data.dispatchError;
      if (failure.isModule) error = chain.api.registry.findMetaError(failure.asModule).name;
    }
  }
  return {
    events: mine.map(({ event }) => `${event.section}.${event.method}`),
    data: mine.map(({ event }) => event.data.toJSON()),
    error,
  };
}

describe('the real runtime, set up by the harness', () => {
  it('is spec 218, and registered the validator and miners by burned_register', async () => {
    expect(chain.api.runtimeVersion.specName.toString()).toBe('node-subtensor');
    expect(chain.api.runtimeVersion.specVersion.toNumber()).toBe(218);
    // The genesis neuron (the subnet owner) is uid 0; ours follow in registration order.
    expect(subnet.validatorUid).toBe(1);
    expect(subnet.minerUids).toEqual([2, 3, 4]);
    expect(await neurons(chain)).toBe(5);
    const q = chain.api.query.subtensorModule;
    expect((await q.keys(NETUID, 1)).toString()).toBe(subnet.validator.address);
    // No stake is needed to set weights at genesis.
    expect(num(await q.weightsMinStake())).toBe(0);
    expect(num(await q.totalHotkeyAlpha(subnet.validator.address, NETUID))).toBe(0);
    // Registration sets LastUpdate to the registration block (2), not 0.
    expect((await q.lastUpdate(NETUID)).toJSON()).toEqual([0, 2, 2, 2, 2]);
  });

  it('a raw set_weights by the validator lands with WeightsSet', async () => {
    chain.sealOnSubmit();
    const blockHash = await new Promise<string>((resolve, reject) => {
      chain.api.tx.subtensorModule
        .setWeights(NETUID, subnet.minerUids, [100, 60, 40], 0)
        .signAndSend(subnet.validator, (result) => {
          if (result.status.isInBlock) resolve(result.status.asInBlock.toHex());
        })
        .catch(reject);
    });
    const { events, data } = await extrinsicEvents(blockHash, 1);
    // A fee-free call (Pays::No) still reports a TransactionFeePaid (of 0).
    expect(events).toEqual([
      'subtensorModule.WeightsSet',
      'transactionPayment.TransactionFeePaid',
      'system.ExtrinsicSuccess',
    ]);
    expect(data[1]).toEqual([subnet.validator.address, 0, 0]);
    expect(data[0]).toEqual([NETUID, subnet.validatorUid]);
    // The chain max-upscales what it is sent.
    expect(await weightsOf(chain, subnet.validatorUid)).toEqual([
      [2, 65535],
      [3, 39321],
      [4, 26214],
    ]);
  });

  it('runs subnet 1 epoch in every block, which gives every neuron a validator permit', async () => {
    await chain.setStorage(permits(await neurons(chain), [subnet.validatorUid]));
    const q = chain.api.query.subtensorModule;
    expect((await q.validatorPermit(NETUID)).toJSON()).toEqual([false, true, false, false, false]);
    await chain.newBlocks();
    expect((await q.validatorPermit(NETUID)).toJSON()).toEqual([true, true, true, true, true]);
    expect(num(await q.lastMechansimStepBlock(NETUID))).toBe(chain.best());
  });
});

describe('publishWeights on the real runtime', () => {
  it('sets the weights with set_weights; the Weights row is what the result reports', async () => {
    const { result } = await publish();
    expect(result).toMatchObject({
      status: LANDED,
      mode: 'set_weights',
      netuid: NETUID,
      validator_hotkey: subnet.validator.address,
      validator_uid: subnet.validatorUid,
      spec_version: 218,
      // Aura.SlotDuration of this runtime: 3 s blocks.
      block_seconds: 3,
      version_key: '0',
      attempts: 1,
      unregistered_hotkeys: [],
      allocation: [
        { uid: 2, hotkey: subnet.miners[0].address, share: 0.5, u16: 65535 },
        { uid: 3, hotkey: subnet.miners[1].address, share: 0.3, u16: 39321 },
        { uid: 4, hotkey: subnet.miners[2].address, share: 0.2, u16: 26214 },
      ],
    });
    expect(await weightsOf(chain, subnet.validatorUid)).toEqual(sent(result));
    const header = await chain.api.rpc.chain.getHeader(result.block_hash);
    expect(header.number.toNumber()).toBe(result.block_number);
    const { events, data } = await extrinsicEvents(
      result.block_hash ?? '',
      result.extrinsic_index ?? -1,
    );
    expect(events).toContain('subtensorModule.WeightsSet');
    expect(data[events.indexOf('subtensorModule.WeightsSet')]).toEqual([
      NETUID,
      subnet.validatorUid,
    ]);
    const lastUpdate = (await chain.api.query.subtensorModule.lastUpdate(NETUID)).toJSON();
    expect((lastUpdate as number[])[subnet.validatorUid]).toBe(result.block_number);
  });

  it('drops hotkeys not registered on the subnet and weights the registered ones', async () => {
    const stranger = chain.keyring.addFromUri('//Stranger').address;
    const { result, log } = await publish({}, { shares: { ...shares(), [stranger]: 0.25 } });
    expect(result.status).toMatch(LANDED);
    expect(result.unregistered_hotkeys).toEqual([stranger]);
    expect(result.allocation.map((row) => row.uid)).toEqual(subnet.minerUids);
    expect(await weightsOf(chain, subnet.validatorUid)).toEqual(sent(result));
    expect(log.messages('WARN')).toContain(
      `Miner ${stranger} is not registered on subnet ${NETUID}: its share is dropped`,
    );
  });

  it("sends the subnet's version key, which the runtime accepts", async () => {
    await chain.setStorage(hyperparameter('WeightsVersionKey', 7));
    const { result } = await publish();
    expect(result).toMatchObject({ status: LANDED, version_key: '7' });
    expect(await weightsOf(chain, subnet.validatorUid)).toEqual(sent(result));
  });

  it('sets weights with stake at WeightsMinStake (the hotkey alpha on the subnet counts)', async () => {
    // add_stake cannot give alpha on this genesis (subnet 1's pool holds 1 rao of alpha: 10 TAO
    // buys 0), so the stake is written as the share pool keeps it: the hotkey's alpha and shares,
    // and the coldkey's shares of it. It stays for the rest of the file (the pool must stay whole).
    const stake = 10n * TAO;
    const { validator, coldkey } = subnet;
    await chain.setStorage(
      ['SubtensorModule', 'TotalHotkeyAlpha', [validator.address, NETUID], stake],
      ['SubtensorModule', 'TotalHotkeyShares', [validator.address, NETUID], stake],
      ['SubtensorModule', 'Alpha', [validator.address, coldkey.address, NETUID], stake],
      ['SubtensorModule', 'WeightsMinStake', [], stake],
    );
    expect((await publish()).result.status).toMatch(LANDED);
    await chain.newBlocks(2); // the epoch pays the staked hotkey, and the chain goes on
    const q = chain.api.query.subtensorModule;
    expect(big(await q.totalHotkeyAlpha(validator.address, NETUID))).toBeGreaterThan(stake);
  });

  it('submits nothing while rate-limited (LastUpdate + WeightsSetRateLimit), and says from when', async () => {
    const first = (await publish()).result;
    expect(first.status).toMatch(LANDED);
    await chain.setStorage(hyperparameter('WeightsSetRateLimit', 50));
    const before = await nonce();
    const { result } = await publish();
    expect(result).toMatchObject({
      status: 'rate-limited',
      error_code: 'SettingWeightsTooFast',
      next_allowed_block: (first.block_number ?? 0) + 50,
    });
    expect(result.eta_seconds).toBe(
      ((result.next_allowed_block ?? 0) - (result.block_number ?? 0)) * 3,
    );
    expect(await nonce()).toBe(before);
  });

  it('refuses without sending when the validator has no permit at the block it read', async () => {
    // Set at the best block, read there by the publisher; the next block's epoch would restore it.
    await chain.setStorage(permits(await neurons(chain), []));
    const before = await nonce();
    expect((await publish()).result).toMatchObject({
      status: 'failed',
      error_code: 'NeuronNoValidatorPermit',
      retryable: false,
    });
    expect(await nonce()).toBe(before);
  });

  it('refuses without sending when the validator hotkey is not registered', async () => {
    const stranger = chain.keyring.addFromUri('//Stranger');
    expect((await publish({}, { signer: stranger })).result).toMatchObject({
      status: 'failed',
      error_code: 'HotKeyNotRegisteredInSubNet',
      retryable: false,
    });
    expect((await chain.api.rpc.system.accountNextIndex(stranger.address)).toNumber()).toBe(0);
  });
});

describe("the runtime's refusals, by the runtime's names, never retried", () => {
  // Each is provoked by a change that lands after the publisher read the state and after the
  // transaction pool accepted the extrinsic, in the very block that includes it.
  it.each([
    ['IncorrectWeightVersionKey', () => change(hyperparameter('WeightsVersionKey', 99))],
    ['CommitRevealEnabled', () => change(hyperparameter('CommitRevealWeightsEnabled', true))],
    [
      'NotEnoughStakeToSetWeights',
      () => change(['SubtensorModule', 'WeightsMinStake', [], 1_000_000n * TAO]),
    ],
    ['MaxWeightExceeded', () => change(hyperparameter('MaxWeightsLimit', 10000))],
    ['WeightVecLengthIsLow', () => change(hyperparameter('MinAllowedWeights', 100))],
    [
      'HotKeyNotRegisteredInSubNet',
      () => change(['SubtensorModule', 'Uids', [NETUID, subnet.validator.address], null]),
    ],
  ])('%s', async (name, provoke) => {
    const { result } = await publish({ attempts: 3 }, { beforeBlock: provoke() });
    expect(result).toMatchObject({
      status: 'failed',
      error_code: name,
      retryable: false,
      attempts: 1,
    });
    expect(result.extrinsic_hash).toMatch(/^0x[0-9a-f]{64}$/);
    // The block says so itself: ExtrinsicFailed with the runtime's module error of that name.
    const { events, error } = await extrinsicEvents(
      result.block_hash ?? '',
      result.extrinsic_index ?? -1,
    );
    expect(events).toContain('system.ExtrinsicFailed');
    expect(error).toBe(name);
  });

  it('SettingWeightsTooFast, when the rate limit rises after the publisher read it', async () => {
    expect((await publish()).result.status).toMatch(LANDED);
    const { result } = await publish(
      { attempts: 3 },
      { beforeBlock: change(hyperparameter('WeightsSetRateLimit', 1_000_000)) },
    );
    expect(result).toMatchObject({
      status: 'failed',
      error_code: 'SettingWeightsTooFast',
      retryable: false,
      attempts: 1,
    });
    const { error } = await extrinsicEvents(result.block_hash ?? '', result.extrinsic_index ?? -1);
    expect(error).toBe('SettingWeightsTooFast');
  });

  it('a rejection at submission: 1010 Custom error 3, set_weights below WeightsMinStake', async () => {
    // The publisher does not read the stake; the runtime's transaction validation refuses.
    await chain.setStorage(['SubtensorModule', 'WeightsMinStake', [], 1_000_000n * TAO]);
    const before = await nonce();
    const { result } = await publish({ attempts: 3 });
    expect(result).toMatchObject({
      status: 'failed',
      error_code: 'Custom(3)',
      retryable: false,
      attempts: 1,
    });
    expect(result.reason).toContain('Custom error: 3');
    expect(await nonce()).toBe(before);
  });
});
