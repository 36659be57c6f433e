import { describe, expect, it } from 'vitest';
import { computeShares, shareStats, type MinerCounts } from '../../functions/src/scoring/shares';

const DEFAULT = { curated: 0.6, sourced: 0.4 };
type Counts = Record<string, readonly [number, number]>;
const counts = (entries: Counts) =>
  new Map<string, MinerCounts>(
    Object.entries(entries).map(([key, [curated, sourced]]) => [key, { curated, sourced }]),
  );
const sharesOf = (entries: Counts, weights = DEFAULT) =>
  Object.fromEntries(computeShares(counts(entries), weights).map((m) => [m.hotkey, m.share]));

describe('computeShares', () => {
  // Expected values computed by hand from share = 0.6·c/Σc + 0.4·s/Σs.
  const cases: Array<{ name: string; input: Counts; expected: Record<string, number> }> = [
    { name: 'one miner', input: { A: [1, 1] }, expected: { A: 1 } },
    {
      name: 'two miners, crossed counts',
      input: { A: [3, 1], B: [1, 3] },
      expected: { A: 0.6 * 0.75 + 0.4 * 0.25, B: 0.6 * 0.25 + 0.4 * 0.75 },
    },
    {
      name: 'three miners, one curates only',
      input: { A: [5, 0], B: [3, 6], C: [2, 4] },
      expected: { A: 0.3, B: 0.42, C: 0.28 },
    },
    {
      name: 'sourcing total zero: curation alone, renormalised',
      input: { A: [2, 0], B: [1, 0] },
      expected: { A: 2 / 3, B: 1 / 3 },
    },
    {
      name: 'curation total zero: sourcing alone, renormalised',
      input: { A: [0, 1], B: [0, 3] },
      expected: { A: 0.25, B: 0.75 },
    },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    const shares = sharesOf(input);
    expect(Object.keys(shares).sort()).toEqual(Object.keys(expected).sort());
    for (const [miner, share] of Object.entries(expected))
      expect(shares[miner]).toBeCloseTo(share, 12);
    expect(Object.values(shares).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('ranks ties by hotkey so output is stable', () => {
    const ranked = computeShares(counts({ B: [1, 1], A: [1, 1], C: [2, 2] }), DEFAULT);
    expect(ranked.map((m) => [m.hotkey, m.share])).toEqual([
      ['C', 0.5],
      ['A', 0.25],
      ['B', 0.25],
    ]);
  });

  it('gives nothing to anyone when there are no leads', () => {
    expect(computeShares(new Map(), DEFAULT)).toEqual([]);
    expect(shareStats([])).toEqual({
      total_miners: 0,
      total_share: 0,
      min_share: 0,
      max_share: 0,
      mean_share: 0,
      zero_share_miners: 0,
    });
  });

  it('follows configured weights, and a zero-weight component gives zero shares', () => {
    expect(sharesOf({ A: [1, 3], B: [3, 1] }, { curated: 0.5, sourced: 0.5 })).toEqual({
      A: 0.5,
      B: 0.5,
    });
    const ranked = computeShares(counts({ A: [1, 0], B: [0, 1] }), { curated: 1, sourced: 0 });
    expect(ranked.map((m) => [m.hotkey, m.share])).toEqual([
      ['A', 1],
      ['B', 0],
    ]);
    expect(shareStats(ranked)).toMatchObject({
      total_miners: 2,
      zero_share_miners: 1,
      min_share: 0,
    });
  });

  it('keeps each miner’s counts beside its share', () => {
    expect(computeShares(counts({ A: [2, 1] }), DEFAULT)).toEqual([
      { hotkey: 'A', curated: 2, sourced: 1, share: 1 },
    ]);
  });
});

describe('shareStats', () => {
  it('summarises the shares', () => {
    const stats = shareStats(computeShares(counts({ A: [5, 0], B: [3, 6], C: [2, 4] }), DEFAULT));
    expect(stats.total_miners).toBe(3);
    expect(stats.total_share).toBeCloseTo(1, 12);
    expect(stats.min_share).toBeCloseTo(0.28, 12);
    expect(stats.max_share).toBeCloseTo(0.42, 12);
    expect(stats.mean_share).toBeCloseTo(1 / 3, 12);
    expect(stats.zero_share_miners).toBe(0);
  });
});
