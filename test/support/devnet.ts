// Starts a devnet in-process on a free port and connects @polkadot/api to it, as user code does.
// Development controls go through the same WebSocket (devnet_* RPC methods).
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { ISubmittableResult } from '@polkadot/types/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Devnet, type DevnetOptions } from '../../devnet/src/devnet';
import { SUBTENSOR_SIGNED_EXTENSIONS } from '../../functions/src/chain/connection';
import type { PublishConfig } from '../../functions/src/config/publishing';

export interface TestChain {
  devnet: Devnet;
  api: ApiPromise;
  keyring: Keyring;
  alice: KeyringPair;
  control(method: string, ...params: unknown[]): Promise<unknown>;
  advance(blocks?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestChain(options: DevnetOptions = {}): Promise<TestChain> {
  await cryptoWaitReady();
  const devnet = await Devnet.start({ finalityLag: 0, ...options });
  const provider = new WsProvider(devnet.url, 200);
  const api = await ApiPromise.create({
    provider,
    signedExtensions: SUBTENSOR_SIGNED_EXTENSIONS,
    noInitWarn: true,
  });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const control = (method: string, ...params: unknown[]) =>
    provider.send(`devnet_${method}`, params);
  return {
    devnet,
    api,
    keyring,
    alice: keyring.addFromUri('//Alice'),
    control,
    advance: async (blocks = 1) => {
      await control('advanceBlocks', blocks);
    },
    stop: async () => {
      await api.disconnect();
      await devnet.stop();
    },
  };
}

export interface Outcome {
  blockHash: string;
  events: string[];
  /** `section.Name` of the module error of a failed extrinsic. */
  error?: string;
}

/** Signs and sends, produces a block, and reports what the block says about the extrinsic. */
export async function submit(
  chain: TestChain,
  tx: SubmittableExtrinsic<'promise'>,
  signer: KeyringPair,
  { beforeBlock, ...options }: { beforeBlock?: () => Promise<void>; nonce?: number } = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    let unsubscribe: (() => void) | undefined;
    tx.signAndSend(signer, options, (result: ISubmittableResult) => {
      if (result.status.isReady)
        void (beforeBlock ?? (async () => undefined))().then(() => chain.advance());
      // With no finality lag, Finalized can overtake InBlock (the api switches to the newest status).
      if (!result.status.isInBlock && !result.status.isFinalized) return;
      unsubscribe?.();
      const events = result.events.map(({ event }) => `${event.section}.${event.method}`);
      let error: string | undefined;
      if (result.dispatchError?.isModule) {
        const meta = chain.api.registry.findMetaError(result.dispatchError.asModule);
        error = `${meta.section}.${meta.name}`;
      }
      const blockHash = result.status.isInBlock
        ? result.status.asInBlock
        : result.status.asFinalized;
      resolve({ blockHash: blockHash.toHex(), events, error });
    })
      .then((stop) => {
        unsubscribe = stop;
      })
      .catch(reject);
  });
}

export interface SubnetSetup {
  netuid: number;
  /** //Alice is uid 0 with a permit and stake; //Miner1 … //MinerN follow. */
  miners?: number;
  params?: Record<string, unknown>;
}

/**
 * Creates the subnet and registers //Alice (uid 0, permit, stake) and the miners, then waits out
 * the subnet's WeightsSetRateLimit: registration sets LastUpdate to its block, as on chain, and an
 * operator's validator would have waited as long before publishing. The next block may carry
 * Alice's weights.
 */
export async function setupSubnet(
  chain: TestChain,
  { netuid, miners = 3, params = {} }: SubnetSetup,
) {
  await chain.control('createSubnet', {
    netuid,
    commitRevealWeightsEnabled: false,
    weightsSetRateLimit: 10,
    ...params,
  });
  const minerPairs = Array.from({ length: miners }, (_, i) =>
    chain.keyring.addFromUri(`//Miner${i + 1}`),
  );
  for (const pair of [chain.alice, ...minerPairs])
    await chain.control('registerNeuron', netuid, pair.address);
  await chain.control('setValidatorPermit', netuid, 0, true);
  await chain.control('setStake', netuid, chain.alice.address, 1_000_000_000);
  await chain.advance();
  // Registered in the block just produced: weights are allowed from that block + the rate limit.
  const { chain: node } = chain.devnet;
  const limit = Number(
    node.bestState.value('subtensorModule', 'weightsSetRateLimit', netuid).toString(),
  );
  if (limit > 1) await chain.advance(limit - 1);
  return minerPairs;
}

/** Produces a block as soon as a transaction reaches the pool (unless the chain is stalled). */
export function sealOnSubmit(chain: TestChain): void {
  chain.devnet.chain.on('submitted', () =>
    setTimeout(() => {
      if (!chain.devnet.controls.stalled) chain.devnet.chain.produceBlock();
    }, 5),
  );
}

/** Publishing settings for a devnet: short bounds, one attempt, no backoff. */
export function devnetPublishConfig(
  chain: TestChain,
  netuid: number,
  overrides: Partial<PublishConfig> = {},
): PublishConfig {
  return {
    endpoint: { network: 'custom', url: chain.devnet.url },
    netuid,
    waitFor: 'inclusion',
    emptyPolicy: { kind: 'uniform' },
    minVersionKey: 0n,
    connectTimeoutMs: 5000,
    readTimeoutMs: 5000,
    inclusionTimeoutMs: 5000,
    attempts: 1,
    retryBaseDelayMs: 0,
    ...overrides,
  };
}
