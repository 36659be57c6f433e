/**
 * Everything publishing needs to know about a subnet, read at one block in one round trip
 * (state_queryStorageAt), whatever the number of neurons or leads: the subnet's rules, the
 * validator's uid and permit, the uid of each scored hotkey, and what commit-reveal needs (tempo,
 * reveal period, the drand beacon and the chain clock).
 */
import type { ApiPromise } from '@polkadot/api';
import type { Codec } from '@polkadot/types/types';
import { hexToU8a } from '@polkadot/util';
import { withDeadline } from './errors';

export interface SubnetState {
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
  const header = await api.rpc.chain.getHeader();
  const blockHash = header.hash.toHex();
  const at = await api.at(blockHash);
  const q = at.query.subtensorModule;
  const drand =
    at.query.drand?.beaconConfig && at.query.drand.lastStoredRound ? at.query.drand : undefined;
  const clock = at.query.timestamp?.now;
  const asked = [validator, ...hotkeys];
  type Query = Parameters<typeof at.queryMulti>[0][number];
  const named: Record<string, Query> = {
    neurons: [q.subnetworkN, netuid],
    minAllowed: [q.minAllowedWeights, netuid],
    maxLimit: [q.maxWeightsLimit, netuid],
    versionKey: [q.weightsVersionKey, netuid],
    rateLimit: [q.weightsSetRateLimit, netuid],
    commitReveal: [q.commitRevealWeightsEnabled, netuid],
    lastUpdate: [q.lastUpdate, netuid],
    permits: [q.validatorPermit, netuid],
    tempo: [q.tempo, netuid],
    revealPeriod: [q.revealPeriodEpochs, netuid],
    crVersion: q.commitRevealWeightsVersion,
    ...(clock ? { now: clock } : {}),
    ...(drand ? { beacon: drand.beaconConfig, lastRound: drand.lastStoredRound } : {}),
  };
  const names = Object.keys(named);
  const values = await at.queryMulti([
    ...names.map((name) => named[name]),
    ...asked.map((hotkey) => [q.uids, [netuid, hotkey]] as Query),
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
  const permitList = (v.permits?.toJSON() as boolean[] | null) ?? [];
  const config = v.beacon?.toJSON() as
    { publicKey?: string; genesisTime?: number; period?: number } | undefined;
  return {
    blockNumber: header.number.toNumber(),
    blockHash,
    specVersion: api.runtimeVersion.specVersion.toNumber(),
    neurons: num(v.neurons),
    minAllowedWeights: num(v.minAllowed),
    maxWeightsLimit: num(v.maxLimit),
    weightsVersionKey: BigInt(v.versionKey?.toString() ?? '0'),
    weightsSetRateLimit: num(v.rateLimit),
    commitRevealEnabled: v.commitReveal?.toString() === 'true',
    validatorUid,
    validatorPermit: validatorUid !== undefined && permitList[validatorUid] === true,
    validatorLastUpdate: validatorUid !== undefined ? Number(lastUpdates[validatorUid] ?? 0) : 0,
    uids,
    tempo: num(v.tempo),
    revealPeriodEpochs: num(v.revealPeriod),
    commitRevealVersion: num(v.crVersion),
    chainTimeMs: v.now ? num(v.now) : Date.now(),
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
  netuid: number,
  uids: readonly number[],
): Promise<Map<number, string>> {
  const q = api.query.subtensorModule;
  const values = await api.queryMulti(
    uids.map((uid) => [q.keys, [netuid, uid]] as [typeof q.keys, [number, number]]),
  );
  return new Map(uids.map((uid, i) => [uid, values[i].toString()]));
}
