// The runtime's acceptance rules (functions/src/weights/acceptance.ts, docs/weight-acceptance.md)
// and the publisher's vectors against them, over random shares, subnet sizes, minimums and limits.
import { describe, expect, it } from 'vitest';
import * as devnetFixed from '../../devnet/src/pallets/fixed';
import {
  acceptedWeights,
  checkWeights,
  maxLimited,
  maxUpscale,
} from '../../functions/src/weights/acceptance';
import { processWeights } from '../../functions/src/weights/process';
import { toU16Weights } from '../../functions/src/weights/u16';
import { GOLDEN } from '../support/golden';
import { random, randomCase } from '../support/weight-cases';

/** The runtime's max-weight rule written directly: ⌊max·2³²/Σ⌋ ≤ ⌊limit·2³²/65535⌋. */
function direct(values: number[], limit: number): boolean {
  const sum = values.reduce((a, b) => a + BigInt(b), 0n);
  if (sum === 0n) return true;
  const max = values.reduce((a, b) => (BigInt(b) > a ? BigInt(b) : a), 0n);
  return (max << 32n) / sum <= (BigInt(limit) << 32n) / 65535n;
}

describe('the runtime acceptance check', () => {
  it('refuses the issue-23 vector (max/sum 0.32043948 > 21000/65535), accepts it one step lower', () => {
    const rules = { neurons: 6, minAllowedWeights: 2, maxWeightsLimit: 21000 };
    expect(checkWeights([1, 2, 3, 4, 5], [65535, 65535, 36723, 26930, 9793], rules)).toBe(
      'MaxWeightExceeded',
    );
    expect(checkWeights([1, 2, 3, 4, 5], [65535, 65535, 36724, 26930, 9793], rules)).toBe(
      undefined,
    );
  });

  it('checks in the runtime order: size, count, duplicates, uids, length, limit', () => {
    const rules = { neurons: 4, minAllowedWeights: 2, maxWeightsLimit: 40000, validatorUid: 0 };
    expect(checkWeights([1, 2], [1], rules)).toBe('WeightVecNotEqualSize');
    expect(checkWeights([0, 1, 2, 3, 3], [1, 1, 1, 1, 1], rules)).toBe(
      'UidsLengthExceedUidsInSubNet',
    );
    expect(checkWeights([1, 1], [1, 1], rules)).toBe('DuplicateUids');
    expect(checkWeights([1, 4], [1, 1], rules)).toBe('UidVecContainInvalidOne');
    expect(checkWeights([1], [1], rules)).toBe('WeightVecLengthIsLow');
    expect(checkWeights([0], [65535], rules)).toBe(undefined); // a self weight is exempt
    expect(checkWeights([1, 2], [65535, 1], rules)).toBe('MaxWeightExceeded');
    expect(checkWeights([1, 2], [65535, 65535], { ...rules, maxWeightsLimit: 65535 })).toBe(
      undefined,
    );
    // The minimum is capped at the subnet's size.
    expect(checkWeights([1], [1], { ...rules, neurons: 1, minAllowedWeights: 5 })).toBe(
      'UidVecContainInvalidOne',
    );
  });

  it('equals the rule written directly, and devnet uses the same arithmetic', () => {
    const rng = random(7);
    for (let i = 0; i < 3000; i++) {
      const values = Array.from({ length: rng.int(1, 40) }, () =>
        rng.next() < 0.3 ? 65535 : rng.int(0, 65535),
      );
      const limit = rng.int(1, 65535);
      const upscaled = maxUpscale(values);
      expect(devnetFixed.maxUpscale(values)).toEqual(upscaled);
      expect(maxLimited(upscaled, limit)).toBe(direct(upscaled, limit));
      expect(devnetFixed.maxLimited(upscaled, limit)).toBe(maxLimited(upscaled, limit));
    }
  });

  it('max-upscales as the runtime does: a vector topped by 65535 is unchanged', () => {
    expect(maxUpscale([65535, 36723, 1])).toEqual([65535, 36723, 1]);
    expect(maxUpscale([2, 1])).toEqual([65535, 32768]); // 32767.5 rounds up (ties away from 0)
    expect(maxUpscale([40000, 20000])).toEqual([65535, 32767]); // scale truncated before rounding
    expect(maxUpscale([0, 0])).toEqual([0, 0]);
  });
});

describe('the publisher vector', () => {
  it('is the SDK vector for every golden case the runtime accepts', () => {
    for (const g of GOLDEN) {
      const rules = { neurons: g.n, minAllowedWeights: g.minw, maxWeightsLimit: g.maxw };
      const result = acceptedWeights(g.uids, g.w, rules);
      if (checkWeights(g.emit_uids, g.emit_weights, rules) === undefined)
        expect(result).toEqual({ weights: { uids: g.emit_uids, values: g.emit_weights } });
      else expect(result).toHaveProperty('weights');
    }
  });

  it('lowers the capped weights of the issue-23 example by the smallest step', () => {
    const rules = { neurons: 6, minAllowedWeights: 2, maxWeightsLimit: 21000 };
    const scores = [0, 0.35, 0.35, 0.15, 0.11, 0.04];
    const sdk = processWeights([0, 1, 2, 3, 4, 5], scores, rules);
    expect(toU16Weights(sdk.uids, sdk.weights).values).toEqual([65535, 65535, 36723, 26930, 9793]);
    expect(acceptedWeights([0, 1, 2, 3, 4, 5], scores, rules)).toEqual({
      weights: {
        uids: [1, 2, 3, 4, 5],
        values: [65535, 65535, 36724, 26930, 9793],
        adjusted: ['max_weight'],
      },
    });
  });

  it('keeps a weight the SDK rounds to 0 when the minimum needs it', () => {
    const rules = { neurons: 3, minAllowedWeights: 2, maxWeightsLimit: 65535 };
    const scores = [0, 1, 1e-7];
    const sdk = processWeights([0, 1, 2], scores, rules);
    expect(toU16Weights(sdk.uids, sdk.weights).uids).toEqual([1]); // the SDK's: refused
    expect(acceptedWeights([0, 1, 2], scores, rules)).toEqual({
      weights: { uids: [1, 2], values: [65535, 1], adjusted: ['min_length'] },
    });
  });

  it('spreads over the subnet when too few uids carry weight for the limit', () => {
    const rules = { neurons: 8, minAllowedWeights: 1, maxWeightsLimit: 13107 }; // 0.2
    const result = acceptedWeights([0, 1, 2, 3, 4, 5, 6, 7], [0, 0.5, 0.5, 0, 0, 0, 0, 0], rules);
    if (!('weights' in result)) throw new Error('refused');
    expect(result.weights.adjusted).toContain('spread');
    expect(checkWeights(result.weights.uids, result.weights.values, rules)).toBe(undefined);
  });

  it('is refused by name when no vector over the subnet can respect the limit', () => {
    const rules = { neurons: 3, minAllowedWeights: 1, maxWeightsLimit: 20000 }; // < 1/3
    expect(acceptedWeights([0, 1, 2], [0, 1, 0], rules)).toMatchObject({
      refused: { code: 'MaxWeightUnreachable' },
    });
  });

  it('passes the runtime check for random shares, sizes, minimums and limits', () => {
    const rng = random(23);
    const figures = { cases: 0, sdkRefused: 0, adjusted: 0, unreachable: 0, maxStep: 0 };
    const refusedBy: Record<string, number> = {};
    for (let i = 0; i < 4000; i++) {
      const { n, minw, limit, scores } = randomCase(rng);
      const uids = scores.map((_, uid) => uid);
      const rules = { neurons: n, minAllowedWeights: minw, maxWeightsLimit: limit };
      const processed = processWeights(uids, scores, rules);
      const sdk = toU16Weights(processed.uids, processed.weights);
      const sdkError = checkWeights(sdk.uids, sdk.values, rules);
      const result = acceptedWeights(uids, scores, rules);
      figures.cases++;
      const reachable = BigInt(2 ** 32) / BigInt(n) <= (BigInt(limit) << 32n) / 65535n;
      if (!reachable) {
        expect(result).toMatchObject({ refused: { code: 'MaxWeightUnreachable' } });
        figures.unreachable++;
        continue;
      }
      if (!('weights' in result)) throw new Error(`refused: ${JSON.stringify({ n, minw, limit })}`);
      const { weights } = result;
      expect(checkWeights(weights.uids, weights.values, rules)).toBe(undefined);
      // What is sent is what the chain stores: already max-upscaled.
      expect(maxUpscale(weights.values)).toEqual(weights.values);
      if (sdkError === undefined) {
        expect({ uids: weights.uids, values: weights.values }).toEqual(sdk);
        expect(weights.adjusted).toBeUndefined();
      } else {
        figures.sdkRefused++;
        refusedBy[sdkError] = (refusedBy[sdkError] ?? 0) + 1;
        figures.adjusted++;
        if (!weights.adjusted?.includes('spread') && sdk.values.length > 0) {
          // Same uids (plus any kept at 1): the largest change to one value.
          const step = Math.max(
            ...sdk.uids.map((uid, j) =>
              Math.abs(weights.values[weights.uids.indexOf(uid)] - sdk.values[j]),
            ),
          );
          figures.maxStep = Math.max(figures.maxStep, step);
        }
      }
    }
    console.log('weight acceptance figures', JSON.stringify({ ...figures, refusedBy }));
    expect(figures.sdkRefused).toBeGreaterThan(0);
  });
});
