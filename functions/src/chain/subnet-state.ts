/**
 * Everything publishing needs to know about a subnet, read at one block in one round trip
 * (state_queryStorageAt), whatever the number of neurons or leads: the subnet's rules, the
 * validator's uid and permit, the uid of each scored hotkey, and what commit-reveal needs (tempo,
 * reveal period, the drand beacon and the chain clock).
 */
import type { ApiPromise } from '@polkadot/api';
import type { QueryableStorageEntry } from '@polkadot/api/types';
import type { Codec } from '@polkadot/types/types';
import { hexToU8a } from '@polkadot/util';
import { withDeadline } from './errors';
import { RuntimeItems, type StorageName } from './runtime-items';

export interface SubnetState {
  /** What the connected runtime offers of the items the publisher uses. */
  items: RuntimeItems;
  blockNumber: number;
  blockHash: string;
  specVersion: number;
  /** SubnetworkN. */
  neurons: number;
  minAllowedWeights: number;
  maxWeightsLimit: number;
  weightsVersionKey: bigint;
  weightsSetRateLimit: number;
  commitRevealEnabled: boolean;
  /** The validator's uid, or undefined when its hotkey is not registered on the subnet. */
  validatorUid?: number;
  validatorPermit: boolean;
  /** LastUpdate of the validator's uid (0 when never set). */
  validatorLastUpdate: number;
  /** Uid of each hotkey asked about that is registered. */
  uids: Map<string, number>;
  tempo: number;
  revealPeriodEpochs: number;
  /** CommitRevealWeightsVersion, for timelocked commits. */
  commitRevealVersion: number;
  /** The chain clock (Timestamp.Now), ms; the local clock where the runtime has no Timestamp. */
  chainTimeMs: number;
  /** Seconds per block (RuntimeItems.blockSeconds). */
  blockSeconds: number;
  /** Drand.BeaconConfig, where the runtime stores a beacon. */
  beacon?: { publicKey: Uint8Array; genesisTime: number; period: number };
  /** Drand.LastStoredRound (0 without a beacon). */
  lastStoredRound: bigint;
}

const num = (codec: Codec | undefined) => Number(codec?.toString() ?? 0);

export async function readSubnetState(
  api: ApiPromise,
  netuid: number,
  validator: string,
  hotkeys: readonly string[],
  timeoutMs: number,
): Promise<SubnetState> {
  return withDeadline(`reading subnet ${netuid}`, timeoutMs, read(api, netuid, validator, hotkeys));
}

async function read(
  api: ApiPromise,
  netuid: number,
  validator: string,
  hotkeys: readonly string[],
): Promise<SubnetState> {
  const items = new RuntimeItems(api);
  const header = await api.rpc.chain.getHeader();
  const blockHash = header.hash.toHex();
  const at = await api.at(blockHash);
  const asked = [validator, ...hotkeys];
  type Query = Parameters<typeof at.queryMulti>[0][number];
  // Required items throw UnsupportedRuntime here; optional ones are left out when absent.
  const subnetItem = (name: StorageName): Query => [items.storage(name, at), netuid];
  const optional = (
    name: StorageName,
    query: (entry: QueryableStorageEntry<'promise'>) => Query,
  ) => {
    const entry = items.optionalStorage(name, at);
    return entry ? query(entry) : undefined;
  };
  const perSubnet = (name: StorageName) => optional(name, (entry) => [entry, netuid]);
  const plain = (name: StorageName) => optional(name, (entry) => entry);
  const named: Record<string, Query | undefined> = {
    neurons: subnetItem('SubtensorModule.SubnetworkN'),
    minAllowed: perSubnet('SubtensorModule.MinAllowedWeights'),
    maxLimit: perSubnet('SubtensorModule.MaxWeightsLimit'),
    versionKey: perSubnet('SubtensorModule.WeightsVersionKey'),
    rateLimit: perSubnet('SubtensorModule.WeightsSetRateLimit'),
    commitReveal: perSubnet('SubtensorModule.CommitRevealWeightsEnabled'),
    lastUpdate: perSubnet('SubtensorModule.LastUpdate'),
    permits: perSubnet('SubtensorModule.ValidatorPermit'),
    tempo: perSubnet('SubtensorModule.Tempo'),
    revealPeriod: perSubnet('SubtensorModule.RevealPeriodEpochs'),
    crVersion: plain('SubtensorModule.CommitRevealWeightsVersion'),
    now: plain('Timestamp.Now'),
    beacon: plain('Drand.BeaconConfig'),
    lastRound: plain('Drand.LastStoredRound'),
  };
  const uidsEntry = items.storage('SubtensorModule.Uids', at);
  const names = Object.keys(named).filter((name) => named[name] !== undefined);
  const values = await at.queryMulti([
    ...names.map((name) => named[name] as Query),
    ...asked.map((hotkey) => [uidsEntry, [netuid, hotkey]] as Query),
  ]);
  const v = Object.fromEntries(names.map((name, i) => [name, values[i]])) as Record<
    string,
    Codec | undefined
  >;
  const uids = new Map<string, number>();
  asked.forEach((hotkey, i) => {
    const uid = values[names.length + i] as unknown as { isSome: boolean; unwrap(): Codec };
    if (uid.isSome) uids.set(hotkey, num(uid.unwrap()));
  });
  const validatorUid = uids.get(validator);
  if (!hotkeys.includes(validator)) uids.delete(validator);
  const lastUpdates = (v.lastUpdate?.toJSON() as Array<number | string> | null) ?? [];
  const permitList = (v.permits?.toJSON() as boolean[] | null) ?? undefined;
  const config = v.beacon?.toJSON() as
    { publicKey?: string; genesisTime?: number; period?: number } | undefined;
  return {
    items,
    blockNumber: header.number.toNumber(),
    blockHash,
    specVersion: api.runtimeVersion.specVersion.toNumber(),
    neurons: num(v.neurons),
    minAllowedWeights: v.minAllowed ? num(v.minAllowed) : 0,
    maxWeightsLimit: v.maxLimit ? num(v.maxLimit) : 65535,
    weightsVersionKey: BigInt(v.versionKey?.toString() ?? '0'),
    // Without the rate limit or LastUpdate, nothing is checked before sending: the chain decides.
    weightsSetRateLimit: v.rateLimit && v.lastUpdate ? num(v.rateLimit) : 0,
    commitRevealEnabled: v.commitReveal?.toString() === 'true',
    validatorUid,
    // Without ValidatorPermit, the chain decides.
    validatorPermit:
      validatorUid !== undefined && (permitList === undefined || permitList[validatorUid] === true),
    validatorLastUpdate: validatorUid !== undefined ? Number(lastUpdates[validatorUid] ?? 0) : 0,
    uids,
    tempo: num(v.tempo),
    revealPeriodEpochs: v.revealPeriod ? num(v.revealPeriod) : 1,
    commitRevealVersion: num(v.crVersion),
    chainTimeMs: v.now ? num(v.now) : Date.now(),
    blockSeconds: items.blockSeconds(),
    // A beacon key is 96 bytes (G2, compressed): anything else means no usable beacon config.
    beacon:
      config?.publicKey && config.publicKey.length === 2 + 192
        ? {
            publicKey: hexToU8a(config.publicKey),
            genesisTime: Number(config.genesisTime),
            period: Number(config.period),
          }
        : undefined,
    lastStoredRound: BigInt(v.lastRound?.toString() ?? '0'),
  };
}

/** The hotkeys now registered at `uids` (Keys), read at the best block: the check right before sending. */
export async function currentHotkeys(
  api: ApiPromise,
  items: RuntimeItems,
  netuid: number,
  uids: readonly number[],
): Promise<Map<number, string>> {
  const keys = items.storage('SubtensorModule.Keys');
  const values = await api.queryMulti(
    uids.map((uid) => [keys, [netuid, uid]] as [typeof keys, [number, number]]),
  );
  return new Map(uids.map((uid, i) => [uid, values[i].toString()]));
}
