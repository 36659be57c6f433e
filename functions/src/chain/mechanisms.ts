/**
 * Subnet mechanisms (current runtimes): how many a subnet has (MechanismCountCurrent), how its
 * emission is split between them (MechanismEmissionSplit), and where a mechanism's weights,
 * LastUpdate and commits are kept: at its storage index, netuid + mecid · 4096
 * (docs/mechanisms.md). A runtime without the item
 * has one mechanism, the subnet itself.
 */
import type { ApiPromise } from '@polkadot/api';
import type { Codec } from '@polkadot/types/types';
import type { RuntimeItems } from './runtime-items';

/** GLOBAL_MAX_SUBNET_COUNT of the pallet. */
export const GLOBAL_MAX_SUBNET_COUNT = 4096;

export function mechanismStorageIndex(netuid: number, mechanism: number): number {
  return mechanism * GLOBAL_MAX_SUBNET_COUNT + netuid;
}

export interface MechanismState {
  /** MechanismCountCurrent (1 where the runtime has no mechanisms). */
  count: number;
  /** MechanismEmissionSplit as u16 proportions, where set (unset: an even split). */
  split?: number[];
  /** LastUpdate of the validator's uid at this mechanism's storage index (0 when never set). */
  validatorLastUpdate: number;
}

/** Reads the subnet's mechanisms at one block, in one round trip. */
export async function readMechanisms(
  api: ApiPromise,
  items: RuntimeItems,
  netuid: number,
  blockHash: string,
  mechanism: number,
  validatorUid: number | undefined,
): Promise<MechanismState> {
  const at = await api.at(blockHash);
  const count = items.optionalStorage('SubtensorModule.MechanismCountCurrent', at);
  const split = items.optionalStorage('SubtensorModule.MechanismEmissionSplit', at);
  const lastUpdate = items.optionalStorage('SubtensorModule.LastUpdate', at);
  type Query = Parameters<typeof at.queryMulti>[0][number];
  const queries: Array<[string, Query]> = [];
  if (count) queries.push(['count', [count, netuid]]);
  if (split) queries.push(['split', [split, netuid]]);
  if (lastUpdate && mechanism > 0)
    queries.push(['lastUpdate', [lastUpdate, mechanismStorageIndex(netuid, mechanism)]]);
  const values: Codec[] = queries.length ? await at.queryMulti(queries.map(([, q]) => q)) : [];
  const value = (name: string) => values[queries.findIndex(([n]) => n === name)];
  const splitValue = split ? (value('split') as Codec & { isSome?: boolean }) : undefined;
  const splitList = splitValue?.toJSON() as number[] | null | undefined;
  const last =
    mechanism > 0 && lastUpdate
      ? ((value('lastUpdate')?.toJSON() as Array<number | string> | null) ?? [])
      : [];
  return {
    count: count ? Number(value('count').toString()) : 1,
    ...(Array.isArray(splitList) ? { split: splitList.map(Number) } : {}),
    validatorLastUpdate: validatorUid === undefined ? 0 : Number(last[validatorUid] ?? 0),
  };
}
