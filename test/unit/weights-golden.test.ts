import { describe, expect, it } from 'vitest';
import { normalizeMaxWeight, processWeights } from '../../functions/src/weights/process';
import { roundHalfEven, toU16Weights } from '../../functions/src/weights/u16';
import { GOLDEN } from '../support/golden';

describe('the reference SDK golden vectors', () => {
  it('are all there', () => expect(GOLDEN.length).toBeGreaterThanOrEqual(10));

  it.each(GOLDEN.map((g) => [g.name, g] as const))('%s', (_name, g) => {
    const processed = processWeights(g.uids, g.w, {
      neurons: g.n,
      minAllowedWeights: g.minw,
      maxWeightsLimit: g.maxw,
    });
    expect(processed.uids).toEqual(g.processed_uids);
    expect(processed.weights).toEqual(g.processed); // bit for bit
    expect(toU16Weights(processed.uids, processed.weights)).toEqual({
      uids: g.emit_uids,
      values: g.emit_weights,
    });
  });
});

describe('conversion details', () => {
  it('rounds half to even, as Python does', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3]);
  });

  it('refuses negative weights and non-u16 uids', () => {
    expect(() => toU16Weights([0], [-1])).toThrow('non-negative');
    expect(() => toU16Weights([70000], [1])).toThrow('u16');
    expect(() => toU16Weights([0, 1], [1])).toThrow('length');
  });

  it('caps the largest weight at the limit and keeps the total at 1', () => {
    const capped = normalizeMaxWeight([0.7, 0.1, 0.1, 0.1], 0.4, true);
    expect(Math.max(...capped)).toBeLessThanOrEqual(0.4 + 1e-6);
    expect(capped.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('gives the minimum-fill weight to the right uid when scores are given per uid', () => {
    // The publisher passes one score per uid 0 … n−1, so position and uid agree.
    const dense = [0, 1, 0, 0, 0, 0, 0, 0];
    const processed = processWeights([0, 1, 2, 3, 4, 5, 6, 7], dense, {
      neurons: 8,
      minAllowedWeights: 4,
      maxWeightsLimit: 65535,
    });
    const emit = toU16Weights(processed.uids, processed.weights);
    expect(emit.values[emit.uids.indexOf(1)]).toBe(65535);
    expect(emit.values.filter((v) => v === 1)).toHaveLength(7);
  });
});
