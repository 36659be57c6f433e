/**
 * What the chain says about the validator's weights, read at the best block in one round trip,
 * through the runtime-items list (chain/runtime-items.ts): its uid and LastUpdate, the subnet's
 * ActivityCutoff and rate limit, the permit, the stake against the minimum, and hash commits
 * waiting for their reveal. Items a runtime lacks are left out and named (`missing`).
 */
import type { ApiPromise } from '@polkadot/api';
import type { QueryableStorageEntry } from '@polkadot/api/types';
import type { Codec } from '@polkadot/types/types';
import { withDeadline } from '../chain/errors';
import { RuntimeItems, type StorageName } from '../chain/runtime-items';
import type { ChainHealth } from './evaluate';

/** The items the evaluation reads; only Uids is needed (without it nothing is known). */
export const HEALTH_ITEMS: readonly StorageName[] = [
  'SubtensorModule.Uids',
  'SubtensorModule.LastUpdate',
  'SubtensorModule.ActivityCutoff',
  'SubtensorModule.WeightsSetRateLimit',
  'SubtensorModule.ValidatorPermit',
  'SubtensorModule.TotalHotkeyAlpha',
  'SubtensorModule.StakeThreshold',
  'SubtensorModule.WeightsMinStake',
  'SubtensorModule.CommitRevealWeightsEnabled',
  'SubtensorModule.WeightCommits',
];

const num = (codec: Codec | undefined) => Number(codec?.toString() ?? 0);

export async function readChainHealth(
  api: ApiPromise,
  netuid: number,
  validator: string,
  timeoutMs: number,
): Promise<ChainHealth> {
  return withDeadline(`reading subnet ${netuid}`, timeoutMs, read(api, netuid, validator));
}

async function read(api: ApiPromise, netuid: number, validator: string): Promise<ChainHealth> {
  const items = new RuntimeItems(api);
  const header = await api.rpc.chain.getHeader();
  const at = await api.at(header.hash);
  type Query = Parameters<typeof at.queryMulti>[0][number];
  const optional = (name: StorageName, query: (e: QueryableStorageEntry<'promise'>) => Query) => {
    const entry = items.optionalStorage(name, at);
    return entry ? query(entry) : undefined;
  };
  const perSubnet = (name: StorageName) => optional(name, (entry) => [entry, netuid]);
  const named: Record<string, Query | undefined> = {
    uid: [items.storage('SubtensorModule.Uids', at), [netuid, validator]],
    lastUpdate: perSubnet('SubtensorModule.LastUpdate'),
    cutoff: perSubnet('SubtensorModule.ActivityCutoff'),
    rateLimit: perSubnet('SubtensorModule.WeightsSetRateLimit'),
    permits: perSubnet('SubtensorModule.ValidatorPermit'),
    stake: optional('SubtensorModule.TotalHotkeyAlpha', (entry) => [entry, [validator, netuid]]),
    threshold: optional('SubtensorModule.StakeThreshold', (entry) => entry),
    minStake: optional('SubtensorModule.WeightsMinStake', (entry) => entry),
    commitReveal: perSubnet('SubtensorModule.CommitRevealWeightsEnabled'),
    commits: optional('SubtensorModule.WeightCommits', (entry) => [entry, [netuid, validator]]),
  };
  const names = Object.keys(named).filter((name) => named[name] !== undefined);
  const values = await at.queryMulti(names.map((name) => named[name] as Query));
  const v = Object.fromEntries(names.map((name, i) => [name, values[i]])) as Record<
    string,
    Codec | undefined
  >;
  const uidOption = v.uid as unknown as { isSome: boolean; unwrap(): Codec };
  const uid = uidOption.isSome ? num(uidOption.unwrap()) : undefined;
  const lastUpdates = (v.lastUpdate?.toJSON() as Array<number | string> | null) ?? undefined;
  const permits = (v.permits?.toJSON() as boolean[] | null) ?? undefined;
  const threshold = v.threshold ?? v.minStake;
  const commits =
    (v.commits?.toJSON() as Array<[string, number, number, number]> | null | undefined) ?? [];
  return {
    block: header.number.toNumber(),
    blockSeconds: items.blockSeconds(),
    uid,
    lastUpdate:
      uid !== undefined && lastUpdates !== undefined ? Number(lastUpdates[uid] ?? 0) : undefined,
    activityCutoff: v.cutoff ? num(v.cutoff) : undefined,
    weightsSetRateLimit: v.rateLimit ? num(v.rateLimit) : undefined,
    permit: uid !== undefined && permits !== undefined ? permits[uid] === true : undefined,
    stake: v.stake ? BigInt(v.stake.toString()) : undefined,
    minStake: threshold ? BigInt(threshold.toString()) : undefined,
    commitReveal: v.commitReveal?.toString() === 'true',
    commits: commits.map(([, commitBlock, first, last]) => ({
      commitBlock: Number(commitBlock),
      firstRevealBlock: Number(first),
      lastRevealBlock: Number(last),
    })),
    missing: HEALTH_ITEMS.filter(
      (name) =>
        !items.has(name) &&
        // Either minimum-stake item will do.
        !(
          name === 'SubtensorModule.StakeThreshold' && items.has('SubtensorModule.WeightsMinStake')
        ) &&
        !(
          name === 'SubtensorModule.WeightsMinStake' && items.has('SubtensorModule.StakeThreshold')
        ),
    ),
  };
}
