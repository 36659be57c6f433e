/**
 * The reference SDK's `process_weights` (bittensor v10, utils/weight_utils.py), reproduced with
 * its number types so the result is the same to the last bit: scores are float32 and every
 * operation is rounded to float32 (`Math.fround`), sums in sequence; the minimum-fill path works in
 * float64, as numpy does there. `test/fixtures/reference/weights-golden.json` holds the SDK's own output.
 *
 * Like the SDK, the minimum-fill path adds scores by their position in `weights`, not by uid; the
 * publisher passes one entry per uid (0 … n−1), where the two are the same.
 */
const f = Math.fround;
const EPSILON = 1e-7;

export interface ProcessedWeights {
  uids: number[];
  weights: number[];
}

export interface SubnetLimits {
  /** SubnetworkN. */
  neurons: number;
  /** MinAllowedWeights. */
  minAllowedWeights: number;
  /** MaxWeightsLimit as the chain stores it (u16); the SDK divides it by 65535. */
  maxWeightsLimit: number;
}

export function processWeights(
  uids: readonly number[],
  scores: readonly number[],
  limits: SubnetLimits,
): ProcessedWeights {
  if (uids.length !== scores.length) throw new Error('uids and scores differ in length');
  const { neurons, minAllowedWeights } = limits;
  const limit = limits.maxWeightsLimit / 65535;
  const weights = scores.map(f);
  const nonZero = weights.flatMap((w, i) => (w > 0 ? [i] : []));
  const all = Array.from({ length: neurons }, (_, uid) => uid);

  if (nonZero.length === 0 || neurons < minAllowedWeights) {
    // "No non-zero weights returning all ones": uniform over every neuron (float64).
    return { uids: all, weights: all.map(() => 1 / neurons) };
  }
  if (nonZero.length < minAllowedWeights) {
    // Too few: every neuron gets 1e-5 and the scores are added on top (float64).
    const filled = all.map(() => 1e-5);
    for (const i of nonZero) filled[i] += weights[i];
    return { uids: all, weights: normalizeMaxWeight(filled, limit, false) };
  }
  // exclude_quantile is 0 in the SDK's call, so its quantile filter keeps every non-zero weight.
  return {
    uids: nonZero.map((i) => uids[i]),
    weights: normalizeMaxWeight(
      nonZero.map((i) => weights[i]),
      limit,
      true,
    ),
  };
}

/**
 * `normalize_max_weight`: normalises to sum 1 and caps every weight at `limit` of the total,
 * spreading the excess. `float32` selects float32 arithmetic, as for the SDK's float32 arrays;
 * there a Python float operand is cast to float32 first (numpy's NEP 50 promotion).
 */
export function normalizeMaxWeight(
  x: readonly number[],
  limit: number,
  float32: boolean,
): number[] {
  const r = float32 ? f : (v: number) => v;
  const sum = (values: readonly number[]) => numpySum(values, r);
  const n = x.length;
  const lim = r(limit);
  const weights = [...x];
  const values = [...x].sort((a, b) => a - b);
  if (sum(x) === 0 || n * limit <= 1) return x.map(() => r(1 / n));
  const valuesSum = sum(values);
  const estimation = values.map((v) => r(v / valuesSum));
  if (Math.max(...estimation) <= lim) {
    const total = sum(weights);
    return weights.map((w) => r(w / total));
  }
  const cumsum: number[] = [];
  estimation.forEach((e, i) => cumsum.push(r((i === 0 ? 0 : cumsum[i - 1]) + e)));
  const estimationSum = estimation.map((e, i) => r((n - i - 1) * e));
  const nValues = estimation.filter(
    (e, i) => r(e / r(r(estimationSum[i] + cumsum[i]) + r(EPSILON))) < lim,
  ).length;
  // The denominator is a Python float: the division happens in float64, then rounds to float32.
  const cutoffScale = r(r(r(lim * cumsum[nValues - 1]) - r(EPSILON)) / (1 - limit * (n - nValues)));
  const cutoff = r(cutoffScale * valuesSum);
  const capped = weights.map((w) => (w > cutoff ? cutoff : w));
  const total = sum(capped);
  return capped.map((w) => r(w / total));
}

/**
 * numpy's sum: pairwise summation (eight accumulators over blocks of up to 128 values, split in
 * halves above that), which rounds differently from a plain loop from eight values on.
 */
function numpySum(values: readonly number[], r: (v: number) => number): number {
  const n = values.length;
  if (n < 8) return values.reduce((total, v) => r(total + v), 0);
  if (n <= 128) {
    const acc = values.slice(0, 8);
    const whole = n - (n % 8);
    for (let i = 8; i < whole; i += 8)
      for (let j = 0; j < 8; j++) acc[j] = r(acc[j] + values[i + j]);
    let total = r(
      r(r(acc[0] + acc[1]) + r(acc[2] + acc[3])) + r(r(acc[4] + acc[5]) + r(acc[6] + acc[7])),
    );
    for (let i = whole; i < n; i++) total = r(total + values[i]);
    return total;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return r(numpySum(values.slice(0, half), r) + numpySum(values.slice(half), r));
}
