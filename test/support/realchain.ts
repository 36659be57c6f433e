// The real subtensor runtime (spec 218, test/fixtures/realchain), run offline by chopsticks inside
// the test's own process: chopsticks executes the runtime's wasm to build each block and serves
// JSON-RPC on a free 127.0.0.1 port, where the publisher connects as it would to a node. Blocks
// are built on demand (Manual mode): `newBlocks` (dev_newBlock), or right after a submission the
// runtime's transaction pool check accepted (`sealOnSubmit`). Nothing is fetched from the network.
import { fileURLToPath } from 'node:url';
import type { Blockchain } from '@acala-network/chopsticks';
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { StorageKey, type Option, type u16 } from '@polkadot/types';
import type { StorageEntry } from '@polkadot/types/primitive/types';
import type { Codec } from '@polkadot/types/types';
import type { HexString } from '@polkadot/util/types';
import { stringCamelCase, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { PublishConfig } from '../../functions/src/config/publishing';

export const SPEC_218_GENESIS = fileURLToPath(
  new URL('../fixtures/realchain/subtensor-spec218-raonet.json', import.meta.url),
);

/** The subnet the spec's genesis has besides root. */
export const NETUID = 1;
/** 1 TAO, in rao. */
export const TAO = 1_000_000_000n;

/**
 * A publish that landed. Chopsticks reports a block finalized 100 ms after it reports it in-block,
 * so a publisher waiting for inclusion may see either first, and says included or finalized.
 */
export const LANDED = /^(included|finalized)$/;

/** One storage write: pallet and item as the metadata names them, the keys, the value (null deletes). */
export type StorageWrite = [pallet: string, item: string, keys: unknown[], value: unknown];

export interface RealChain {
  url: string;
  /** The test's own connection (the publisher opens its own). */
  api: ApiPromise;
  keyring: Keyring;
  /** Chopsticks' chain, in this process. */
  chain: Blockchain;
  /** Milliseconds from the call to a connected api. */
  startupMs: number;
  best(): number;
  /** Builds `count` blocks (dev_newBlock). */
  newBlocks(count?: number): Promise<void>;
  /** Writes storage at the best block (dev_setStorage), each value SCALE-encoded by its metadata type. */
  setStorage(...writes: StorageWrite[]): Promise<void>;
  /**
   * From now on, a block is built as soon as a submission is accepted into the pool, after
   * `beforeBlock` ran: a change made there lands in the very block that includes the extrinsic,
   * after the publisher read the state and after the pool validated the transaction.
   */
  sealOnSubmit(beforeBlock?: () => Promise<void> | void): void;
  /** No more blocks on submission: they wait for `newBlocks`. */
  stopSealing(): void;
  stop(): Promise<void>;
}

/**
 * Starts the runtime with the fixture's genesis (one block built on top of it). Chopsticks is
 * imported here, not at the top, so that its log level is set before its logger is created.
 */
export async function startRealChain(): Promise<RealChain> {
  const started = Date.now();
  process.env.LOG_LEVEL = process.env.REALCHAIN_LOG_LEVEL ?? 'fatal';
  const chopsticks = await import('@acala-network/chopsticks');
  await cryptoWaitReady();
  const context = await chopsticks.setupWithServer({
    genesis: SPEC_218_GENESIS,
    host: '127.0.0.1',
    port: 0,
    'build-block-mode': chopsticks.BuildBlockMode.Manual,
  } as Parameters<typeof chopsticks.setupWithServer>[0]);
  const chain = context.chain;
  const url = `ws://${context.addr}`;

  let beforeBlock: (() => Promise<void> | void) | undefined;
  let sealing = false;
  const submit = chain.submitExtrinsic.bind(chain);
  chain.submitExtrinsic = async (extrinsic: HexString) => {
    let hash: HexString;
    try {
      hash = await submit(extrinsic);
    } catch (error) {
      throw asNodeRejection(error);
    }
    if (sealing) {
      const hook = beforeBlock;
      setTimeout(() => {
        void (async () => {
          await hook?.();
          await chain.newBlock();
        })().catch((error: unknown) => console.error('realchain: sealing failed', error));
      }, 0);
    }
    return hash;
  };

  const provider = new WsProvider(url, 200);
  const api = await ApiPromise.create({ provider, noInitWarn: true });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const encode = (writes: StorageWrite[]) => writes.map((write) => encodeWrite(api, write));

  return {
    url,
    api,
    keyring,
    chain,
    startupMs: Date.now() - started,
    best: () => chain.head.number,
    newBlocks: async (count = 1) => {
      await provider.send('dev_newBlock', [{ count }]);
    },
    setStorage: async (...writes) => {
      await provider.send('dev_setStorage', [encode(writes)]);
    },
    sealOnSubmit: (hook) => {
      sealing = true;
      beforeBlock = hook;
    },
    stopSealing: () => {
      sealing = false;
      beforeBlock = undefined;
    },
    stop: async () => {
      await api.disconnect();
      await context.close();
      // The wasm executor's worker thread would otherwise keep the process alive.
      await chopsticks.destroyWorker();
    },
  };
}

/** Storage writes for chopsticks' setStorage, in this process (for `sealOnSubmit` hooks). */
export async function setStorageNow(chain: RealChain, ...writes: StorageWrite[]): Promise<void> {
  const { setStorage } = await import('@acala-network/chopsticks');
  await setStorage(
    chain.chain,
    writes.map((write) => encodeWrite(chain.api, write)),
  );
}

/**
 * [key, value] in hex, the value encoded by the item's metadata type. (Chopsticks' own object
 * form deletes an item given a falsy value such as 0 or false, which then reads as its default.)
 */
function encodeWrite(
  api: ApiPromise,
  [pallet, item, keys, value]: StorageWrite,
): [HexString, HexString | null] {
  const section = (api.query as unknown as Record<string, Record<string, unknown>>)[
    stringCamelCase(pallet)
  ];
  const entry = section?.[stringCamelCase(item)] as { creator: StorageEntry } | undefined;
  if (!entry) throw new Error(`${pallet}.${item} is not in this runtime's metadata`);
  const key = new StorageKey(api.registry, keys.length ? [entry.creator, keys] : [entry.creator]);
  if (value === null) return [key.toHex(), null];
  return [key.toHex(), u8aToHex(api.registry.createType(key.outputType, value).toU8a())];
}

/**
 * A transaction the pool refused, as a Substrate node reports it over JSON-RPC: 1010 "Invalid
 * Transaction" with the reason as data, e.g. `1010: Invalid Transaction: Custom error: 3`
 * (chopsticks itself answers with the validity's JSON, `{"invalid":{"custom":3}}`).
 */
function asNodeRejection(error: unknown): unknown {
  const validity = error as { isInvalid?: boolean; toJSON?: () => unknown } | undefined;
  if (!validity?.toJSON) return error;
  const json = validity.toJSON() as Record<string, unknown>;
  const [kind, detail] = Object.entries(json)[0] ?? [];
  if (kind !== 'invalid' && kind !== 'unknown') return error;
  const [reason, value] = Object.entries((detail ?? {}) as Record<string, unknown>)[0] ?? [];
  const text =
    kind === 'invalid'
      ? `Invalid Transaction: ${INVALID_TEXT[reason ?? ''] ?? (reason === 'custom' ? `Custom error: ${value}` : reason)}`
      : `Unknown Transaction Validity: ${JSON.stringify(detail)}`;
  return { isInvalid: kind === 'invalid', toString: () => text };
}

/** sp_runtime's texts for InvalidTransaction variants. */
const INVALID_TEXT: Record<string, string> = {
  call: 'Transaction call is not expected',
  payment: 'Inability to pay some fees (e.g. account balance too low)',
  future: 'Transaction will be valid in the future',
  stale: 'Transaction is outdated',
  badProof: 'Transaction has a bad signature',
  ancientBirthBlock: 'Transaction has an ancient birth block',
  exhaustsResources: 'Transaction would exhaust the block limits',
  badMandatory: 'A call was labelled as mandatory, but resulted in an Error.',
  mandatoryValidation: 'Transaction dispatch is mandatory; transactions must not be validated.',
  badSigner: 'Invalid signing address',
};

/** Gives `account` `free` rao (System.Account). */
export function funds(account: string, free: bigint): StorageWrite {
  return ['System', 'Account', [account], { providers: 1, data: { free } }];
}

/** A subnet hyperparameter (a SubtensorModule map keyed by netuid). */
export function hyperparameter(item: string, value: unknown, netuid = NETUID): StorageWrite {
  return ['SubtensorModule', item, [netuid], value];
}

/**
 * Registers `hotkeys` on the subnet for real: burned_register signed by `coldkey` (which pays the
 * burn, 1 TAO at genesis, and the fees), MaxRegistrationsPerBlock (4 at genesis) to a block, as
 * more in one block fail with TooManyRegistrationsThisBlock. Returns their uids. (The runtime's
 * transaction validation refuses a registration once RegistrationsThisInterval reaches three times
 * TargetRegistrationsPerInterval, 12 at genesis: 1010 Custom error 5.)
 */
export async function burnedRegister(
  chain: RealChain,
  coldkey: KeyringPair,
  hotkeys: readonly string[],
  netuid = NETUID,
): Promise<number[]> {
  const { api } = chain;
  const perBlock = num(await api.query.subtensorModule.maxRegistrationsPerBlock(netuid));
  let nonce = (await api.rpc.system.accountNextIndex(coldkey.address)).toNumber();
  for (let i = 0; i < hotkeys.length; i += perBlock) {
    for (const hotkey of hotkeys.slice(i, i + perBlock)) {
      await api.tx.subtensorModule.burnedRegister(netuid, hotkey).signAndSend(coldkey, { nonce });
      nonce += 1;
    }
    await chain.newBlocks();
  }
  const uids = (await api.query.subtensorModule.uids.multi(
    hotkeys.map((hotkey) => [netuid, hotkey]),
  )) as Option<u16>[];
  return uids.map((uid, i) => {
    if (uid.isNone) throw new Error(`burned_register did not register ${hotkeys[i]}`);
    return uid.unwrap().toNumber();
  });
}

export interface Subnet {
  validator: KeyringPair;
  validatorUid: number;
  coldkey: KeyringPair;
  miners: KeyringPair[];
  minerUids: number[];
}

/**
 * Subnet 1 ready for weights: //Alice (the validator) and //Miner1 … //MinerN registered by
 * burned_register from a funded //Coldkey, a validator permit for //Alice only, and the given
 * hyperparameters. No stake is needed: the runtime's WeightsMinStake is 0 at genesis.
 */
export async function prepareSubnet(
  chain: RealChain,
  { miners = 3, hyperparameters = {} as Record<string, unknown> } = {},
): Promise<Subnet> {
  const validator = chain.keyring.addFromUri('//Alice');
  const coldkey = chain.keyring.addFromUri('//Coldkey');
  const minerPairs = Array.from({ length: miners }, (_, i) =>
    chain.keyring.addFromUri(`//Miner${i + 1}`),
  );
  await chain.setStorage(funds(coldkey.address, 1000n * TAO));
  const [validatorUid, ...minerUids] = await burnedRegister(chain, coldkey, [
    validator.address,
    ...minerPairs.map((pair) => pair.address),
  ]);
  await chain.setStorage(
    permits(await neurons(chain), [validatorUid]),
    ...Object.entries(hyperparameters).map(([item, value]) => hyperparameter(item, value)),
  );
  await chain.newBlocks();
  return { validator, validatorUid, coldkey, miners: minerPairs, minerUids };
}

/** A numeric storage value (the api is not augmented for subtensor: queries return Codec). */
export const num = (codec: Codec) => Number(codec.toString());
export const big = (codec: Codec) => BigInt(codec.toString());

/** SubnetworkN. */
export async function neurons(chain: RealChain, netuid = NETUID): Promise<number> {
  return num(await chain.api.query.subtensorModule.subnetworkN(netuid));
}

/** ValidatorPermit for `n` neurons: true for `withPermit`, false for the others. */
export function permits(n: number, withPermit: readonly number[], netuid = NETUID): StorageWrite {
  return [
    'SubtensorModule',
    'ValidatorPermit',
    [netuid],
    Array.from({ length: n }, (_, uid) => withPermit.includes(uid)),
  ];
}

/** Weights[(netuid, uid)] as [uid, value] pairs. */
export async function weightsOf(
  chain: RealChain,
  uid: number,
  netuid = NETUID,
): Promise<Array<[number, number]>> {
  return (await chain.api.query.subtensorModule.weights(netuid, uid)).toJSON() as Array<
    [number, number]
  >;
}

/** Publishing settings for this chain: short bounds, one attempt, no backoff. */
export function realchainPublishConfig(
  chain: RealChain,
  overrides: Partial<PublishConfig> = {},
): PublishConfig {
  return {
    endpoint: { network: 'custom', url: chain.url },
    netuid: NETUID,
    waitFor: 'inclusion',
    emptyPolicy: { kind: 'uniform' },
    minVersionKey: 0n,
    connectTimeoutMs: 10_000,
    readTimeoutMs: 10_000,
    inclusionTimeoutMs: 10_000,
    attempts: 1,
    retryBaseDelayMs: 0,
    ...overrides,
  };
}
