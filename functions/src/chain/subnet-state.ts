/**
 * Everything publishing needs to know about a subnet, read at one block in one round trip
 * (state_queryStorageAt), whatever the number of neurons or leads: the subnet's rules, the
 * validator's uid and permit, and the uid of each scored hotkey.
 */
import type { ApiPromise } from '@polkadot/api';
import type { Codec } from '@polkadot/types/types';
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
}

const num = (codec: Codec) => Number(codec.toString());

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
  const asked = [validator, ...hotkeys];
  const values = await at.queryMulti([
    [q.subnetworkN, netuid],
    [q.minAllowedWeights, netuid],
    [q.maxWeightsLimit, netuid],
    [q.weightsVersionKey, netuid],
    [q.weightsSetRateLimit, netuid],
    [q.commitRevealWeightsEnabled, netuid],
    [q.lastUpdate, netuid],
    [q.validatorPermit, netuid],
    ...asked.map((hotkey) => [q.uids, [netuid, hotkey]] as [typeof q.uids, [number, string]]),
  ]);
  const [
    n,
    minAllowed,
    maxLimit,
    versionKey,
    rateLimit,
    commitReveal,
    lastUpdate,
    permits,
    ...uidOptions
  ] = values;
  const uids = new Map<string, number>();
  asked.forEach((hotkey, i) => {
    const uid = uidOptions[i] as unknown as { isSome: boolean; unwrap(): Codec };
    if (uid.isSome) uids.set(hotkey, num(uid.unwrap()));
  });
  const validatorUid = uids.get(validator);
  if (!hotkeys.includes(validator)) uids.delete(validator);
  const lastUpdates = (lastUpdate.toJSON() as Array<number | string> | null) ?? [];
  const permitList = (permits.toJSON() as boolean[] | null) ?? [];
  return {
    blockNumber: header.number.toNumber(),
    blockHash,
    specVersion: api.runtimeVersion.specVersion.toNumber(),
    neurons: num(n),
    minAllowedWeights: num(minAllowed),
    maxWeightsLimit: num(maxLimit),
    weightsVersionKey: BigInt(versionKey.toString()),
    weightsSetRateLimit: num(rateLimit),
    commitRevealEnabled: commitReveal.toString() === 'true',
    validatorUid,
    validatorPermit: validatorUid !== undefined && permitList[validatorUid] === true,
    validatorLastUpdate: validatorUid !== undefined ? Number(lastUpdates[validatorUid] ?? 0) : 0,
    uids,
  };
}
