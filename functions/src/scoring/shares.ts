/**
 * The scoring formula, as pure functions. For each miner m over the window:
 *
 *   share_m = w_c · curated_m / Σ curated + w_s · sourced_m / Σ sourced
 *
 * A component whose total is zero contributes nothing, and the shares are renormalised by the
 * weights of the components that do contribute, so they sum to 1 whenever any lead counted.
 */

export interface MinerCounts {
  curated: number;
  sourced: number;
}

export interface ComponentWeights {
  curated: number;
  sourced: number;
}

export interface ShareStats {
  total_miners: number;
  total_share: number;
  min_share: number;
  max_share: number;
  mean_share: number;
  zero_share_miners: number;
}

export interface RankedMiner extends MinerCounts {
  hotkey: string;
  share: number;
}

/** Every miner with a count, ranked by share (highest first; ties by hotkey, for stable output). */
export function computeShares(
  counts: ReadonlyMap<string, MinerCounts>,
  weights: ComponentWeights,
): RankedMiner[] {
  let totalCurated = 0;
  let totalSourced = 0;
  for (const { curated, sourced } of counts.values()) {
    totalCurated += curated;
    totalSourced += sourced;
  }
  const curatedWeight = totalCurated > 0 ? weights.curated : 0;
  const sourcedWeight = totalSourced > 0 ? weights.sourced : 0;
  const norm = curatedWeight + sourcedWeight;

  const ranked = [...counts].map(([hotkey, { curated, sourced }]) => {
    const raw =
      (curatedWeight > 0 ? (curatedWeight * curated) / totalCurated : 0) +
      (sourcedWeight > 0 ? (sourcedWeight * sourced) / totalSourced : 0);
    return { hotkey, curated, sourced, share: norm > 0 ? raw / norm : 0 };
  });
  return ranked.sort((a, b) => b.share - a.share || (a.hotkey < b.hotkey ? -1 : 1));
}

export function shareStats(miners: readonly RankedMiner[]): ShareStats {
  const shares = miners.map((miner) => miner.share);
  const total = shares.reduce((sum, share) => sum + share, 0);
  return {
    total_miners: shares.length,
    total_share: total,
    min_share: shares.length ? shares.reduce((a, b) => Math.min(a, b)) : 0,
    max_share: shares.length ? shares.reduce((a, b) => Math.max(a, b)) : 0,
    mean_share: shares.length ? total / shares.length : 0,
    zero_share_miners: shares.filter((share) => share === 0).length,
  };
}
