import type { KeyringPair } from '@polkadot/keyring/types';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RUNTIME_PROFILES, runtimeProfile } from '../../devnet/src/profiles';
import type { PublishConfig } from '../../functions/src/config/publishing';
import { publishWeights } from '../../functions/src/publishing/publish';
import {
  devnetPublishConfig,
  setupSubnet,
  startTestChain,
  type TestChain,
} from '../support/devnet';
import { testFirestore } from '../support/firestore';
import { recordingLogger } from '../support/logger';

// Hash commits keep their reveal in Firestore.
const store = testFirestore('publish');
afterAll(() => store.close());

let chain: TestChain;
let miners: KeyringPair[];
let netuid = 100;

const config = (overrides: Partial<PublishConfig> = {}) =>
  devnetPublishConfig(chain, netuid, overrides);

const shares = () => ({
  [miners[0].address]: 0.5,
  [miners[1].address]: 0.3,
  [miners[2].address]: 0.2,
});

/** Publishes with blocks sealed as soon as a transaction arrives, and `onSubmitted` run first. */
async function publish(
  overrides: Partial<PublishConfig> = {},
  options: { shares?: Record<string, number>; onSubmitted?: () => void; dryRun?: boolean } = {},
) {
  const log = recordingLogger();
  const seal = () => {
    options.onSubmitted?.();
    setTimeout(() => {
      if (!chain.devnet.controls.stalled) chain.devnet.chain.produceBlock();
    }, 5);
  };
  chain.devnet.chain.on('submitted', seal);
  try {
    const result = await publishWeights({
      shares: options.shares ?? shares(),
      signer: chain.alice,
      config: config(overrides),
      log,
      dryRun: options.dryRun,
      db: store.db,
      sleep: async () => undefined,
    });
    return { result, log };
  } finally {
    chain.devnet.chain.off('submitted', seal);
  }
}

const nonce = async () =>
  (await chain.api.rpc.system.accountNextIndex(chain.alice.address)).toNumber();

describe.each(RUNTIME_PROFILES)('on the %s runtime profile', (runtime) => {
  const profile = runtimeProfile(runtime);
  beforeAll(async () => {
    // Finality one block behind: a sealed block reports InBlock first, finality comes with the next.
    chain = await startTestChain({ finalityLag: 1, runtime });
  });
  afterAll(() => chain.stop());
  afterEach(() => store.clear());

  /** A fresh subnet for each test: //Alice validator (uid 0), three miners. */
  beforeEach(async () => {
    netuid += 1;
    miners = await setupSubnet(chain, {
      netuid,
      miners: 3,
      params: { weightsSetRateLimit: 5, minAllowedWeights: 1 },
    });
  });

  describe('publishWeights against devnet', () => {
    it('sets the weights on chain and reports where they landed', async () => {
      const { result, log } = await publish();
      expect(result).toMatchObject({
        status: 'included',
        mode: 'set_weights',
        netuid,
        validator_hotkey: chain.alice.address,
        validator_uid: 0,
        allocation: [
          { uid: 1, hotkey: miners[0].address, share: 0.5, u16: 65535 },
          { uid: 2, hotkey: miners[1].address, share: 0.3, u16: 39321 },
          { uid: 3, hotkey: miners[2].address, share: 0.2, u16: 26214 },
        ],
        version_key: '0',
        attempts: 1,
        unregistered_hotkeys: [],
      });
      expect(result.extrinsic_index).toBe(0);
      const header = await chain.api.rpc.chain.getHeader(result.block_hash);
      expect(header.number.toNumber()).toBe(result.block_number);
      const stored = await chain.api.query.subtensorModule.weights(netuid, 0);
      expect(stored.toJSON()).toEqual([
        [1, 65535],
        [2, 39321],
        [3, 26214],
      ]);
      expect(log.messages('INFO')).toEqual(
        expect.arrayContaining([
          '✅ Published new weights:',
          ` 1. ${miners[0].address} 0.5000 (50.00%) uid 1 → 65535`,
          ' 3. ' + miners[2].address + ' 0.2000 (20.00%) uid 3 → 26214',
          '✓ Found 3 miners',
          '✓ Total share: 1.000000',
        ]),
      );
      expect(chain.devnet.traffic.connections).toBe(1); // only the test's own api: the publisher closed its socket
    });

    it('waits for finalization when configured to', async () => {
      const sealAgain = () => {
        setTimeout(() => chain.devnet.chain.produceBlock(), 50);
      };
      chain.devnet.chain.on('newHead', sealAgain);
      try {
        const { result } = await publish({ waitFor: 'finalization' });
        expect(result.status).toBe('finalized');
      } finally {
        chain.devnet.chain.off('newHead', sealAgain);
      }
    });

    it('drops hotkeys not registered on the subnet, with a warning, and says which', async () => {
      const stranger = chain.keyring.addFromUri('//Stranger').address;
      const { result, log } = await publish({}, { shares: { ...shares(), [stranger]: 0.25 } });
      expect(result.status).toBe('included');
      expect(result.unregistered_hotkeys).toEqual([stranger]);
      expect(result.allocation.map((row) => row.uid)).toEqual([1, 2, 3]);
      expect(log.messages('WARN')).toContain(
        `Miner ${stranger} is not registered on subnet ${netuid}: its share is dropped`,
      );
    });

    it('uses the chain version key unless configured higher', async () => {
      await chain.control('setHyperparameter', 'weightsVersionKey', netuid, 7);
      await chain.advance();
      expect((await publish()).result.version_key).toBe('7');
      await chain.advance(5);
      expect((await publish({ minVersionKey: 9n })).result.version_key).toBe('9');
    });

    it('shows in a dry run exactly what would be sent, and sends nothing', async () => {
      const before = await nonce();
      const { result } = await publish({}, { dryRun: true });
      expect(result).toMatchObject({
        status: 'dry-run',
        allocation: [
          { uid: 1, u16: 65535 },
          { uid: 2, u16: 39321 },
          { uid: 3, u16: 26214 },
        ],
      });
      expect(await nonce()).toBe(before);
    });

    it('submits nothing while rate-limited, and says from which block it may', async () => {
      const first = (await publish()).result;
      const before = await nonce();
      const { result } = await publish();
      expect(result).toMatchObject({
        status: 'rate-limited',
        error_code: 'SettingWeightsTooFast',
        next_allowed_block: (first.block_number ?? 0) + 5,
      });
      // Blocks × the chain's own block time (Aura.SlotDuration), not an assumed 12 s.
      expect(result.block_seconds).toBe(chain.devnet.chain.blockTimeMs / 1000);
      expect(result.eta_seconds).toBe(
        ((result.next_allowed_block ?? 0) - (result.block_number ?? 0)) *
          (result.block_seconds ?? 0),
      );
      expect(await nonce()).toBe(before);
    });

    it('commits instead where commit-reveal is enabled, and never calls set_weights there', async () => {
      await chain.control('setHyperparameter', 'commitRevealWeightsEnabled', netuid, true);
      await chain.advance();
      const { result } = await publish();
      // The form follows the runtime: timelocked where it has drand, a hash commit before.
      const [mode, method] = profile.timelocked
        ? ['timelocked_commit', 'commitTimelockedWeights']
        : ['commit', 'commitWeights'];
      expect(result).toMatchObject({
        status: 'included',
        mode,
        allocation: [{ uid: 1 }, { uid: 2 }, { uid: 3 }],
      });
      const block = chain.devnet.chain.block(result.block_number ?? -1);
      const call = chain.api.createType('Extrinsic', block?.extrinsics[0]).method;
      expect(`${call.section}.${call.method}`).toBe(`subtensorModule.${method}`);
    });

    it('refuses clearly, without submitting, when the validator is not registered or has no permit', async () => {
      await chain.control('setValidatorPermit', netuid, 0, false);
      await chain.advance();
      expect((await publish()).result).toMatchObject({
        status: 'failed',
        error_code: 'NeuronNoValidatorPermit',
        retryable: false,
      });
      expect((await publish({ netuid: 9999 })).result).toMatchObject({
        status: 'failed',
        error_code: 'HotKeyNotRegisteredInSubNet',
      });
    });

    it.each([
      [
        'uniform',
        { kind: 'uniform' } as const,
        {
          status: 'included',
          allocation: [0, 1, 2, 3].map((uid) => ({ uid, share: 0, u16: 65535 })),
        },
      ],
      [
        'burn',
        { kind: 'burn', uid: 2 } as const,
        { status: 'included', allocation: [{ uid: 2, share: 0, u16: 65535 }] },
      ],
      ['skip', { kind: 'skip' } as const, { status: 'skipped', error_code: 'NoActiveMiners' }],
    ])('follows the %s policy when no miner has a share', async (_name, emptyPolicy, expected) => {
      const { result } = await publish({ emptyPolicy }, { shares: {} });
      expect(result).toMatchObject(expected);
    });
  });

  describe('chain refusals: named, never retried', () => {
    // Applied in-process, synchronously, so the change is in the very block that includes the extrinsic.
    const change =
      (method: string, ...params: unknown[]) =>
      () => {
        const controls = chain.devnet.controls as unknown as Record<
          string,
          (...args: unknown[]) => unknown
        >;
        controls[method](...params);
      };
    // Each refusal is provoked by a change that lands in the block after the publisher read the state.
    const refusals: Array<[string, () => () => void]> = [
      [
        'IncorrectWeightVersionKey',
        () => change('setHyperparameter', 'weightsVersionKey', netuid, 99),
      ],
      ['NeuronNoValidatorPermit', () => change('setValidatorPermit', netuid, 0, false)],
      [
        'CommitRevealEnabled',
        () => change('setHyperparameter', 'commitRevealWeightsEnabled', netuid, true),
      ],
      [
        'NotEnoughStakeToSetWeights',
        () => change('setHyperparameter', 'stakeThreshold', null, 10n ** 15n),
      ],
      ['MaxWeightExceeded', () => change('setHyperparameter', 'maxWeightsLimit', netuid, 10000)],
      [
        'MechanismDoesNotExist',
        () => change('setHyperparameter', 'mechanismCountCurrent', netuid, 0),
      ],
      ['WeightVecLengthIsLow', () => change('setHyperparameter', 'minAllowedWeights', netuid, 100)],
      [
        'HotKeyNotRegisteredInSubNet',
        () => change('registerNeuron', netuid, chain.keyring.addFromUri('//Usurper').address, 0),
      ],
    ];
    // Subnet mechanisms exist only on current runtimes.
    const here = refusals.filter(
      ([name]) => name !== 'MechanismDoesNotExist' || profile.mechanisms,
    );
    it.each(here)('%s', async (name, provoke) => {
      const { result } = await publish({ attempts: 3 }, { onSubmitted: provoke() });
      await chain.control('setHyperparameter', 'stakeThreshold', null, 0);
      expect(result).toMatchObject({
        status: 'failed',
        error_code: name,
        retryable: false,
        attempts: 1,
      });
      expect(result.extrinsic_hash).toMatch(/^0x[0-9a-f]{64}$/);
    });

    it('SettingWeightsTooFast, when the rate limit rises after the publisher read it', async () => {
      expect((await publish()).result.status).toBe('included');
      await chain.advance(5);
      const { result } = await publish(
        { attempts: 3 },
        { onSubmitted: change('setHyperparameter', 'weightsSetRateLimit', netuid, 1_000_000) },
      );
      expect(result).toMatchObject({
        status: 'failed',
        error_code: 'SettingWeightsTooFast',
        retryable: false,
        attempts: 1,
      });
    });

    it('a rejection at submission (1010 Custom error: 6) as RateLimitExceeded', async () => {
      await chain.control('refuseSubmissions', 6);
      try {
        const { result } = await publish({ attempts: 3 });
        expect(result).toMatchObject({
          status: 'failed',
          error_code: 'RateLimitExceeded',
          retryable: false,
          attempts: 1,
        });
      } finally {
        await chain.control('refuseSubmissions', null);
      }
    });
  });

  describe('transient failures: bounded, retryable, no socket left open', () => {
    it('a stalled chain times out and is retried within the budget', async () => {
      await chain.control('stall', true);
      try {
        const started = Date.now();
        const { result, log } = await publish({ attempts: 2, inclusionTimeoutMs: 500 });
        expect(Date.now() - started).toBeLessThan(20_000); // bounded, not hanging
        expect(result).toMatchObject({
          status: 'failed',
          error_code: 'Timeout',
          retryable: true,
          attempts: 2,
        });
        expect(
          log.messages('WARN').some((line) => line.startsWith('⚠️ Attempt 1 failed (Timeout)')),
        ).toBe(true);
      } finally {
        await chain.control('stall', false);
        await chain.advance();
      }
      expect(chain.devnet.traffic.connections).toBe(1);
    });

    it('a dropped connection fails retryably instead of hanging', async () => {
      const started = Date.now();
      const { result } = await publish(
        { attempts: 1 },
        {
          onSubmitted: () => {
            chain.devnet.controls.stalled = true;
            chain.devnet.controls.dropConnections();
          },
        },
      );
      chain.devnet.controls.stalled = false;
      expect(Date.now() - started).toBeLessThan(20_000); // bounded, not hanging
      expect(result).toMatchObject({
        status: 'failed',
        error_code: 'Disconnected',
        retryable: true,
      });
      await new Promise((resolve) => setTimeout(resolve, 300)); // the test's own api reconnects
      await chain.advance();
    });

    it('an endpoint that does not answer fails fast and retryably', async () => {
      const { result } = await publish({
        endpoint: { network: 'custom', url: 'ws://127.0.0.1:1' },
        attempts: 2,
      });
      expect(result).toMatchObject({
        status: 'failed',
        error_code: 'ConnectionFailed',
        retryable: true,
        attempts: 2,
      });
    });
  });
});
