/**
 * The runtime's acceptance rules for a weight vector, as a pure check, and the smallest change to
 * the reference SDK's vector that passes them. The rules and the fixed-point arithmetic are
 * subtensor's own (`internal_set_weights`, `check_length`, `max_weight_limited`,
 * `check_vec_max_limited`, `vec_u16_max_upscale_to_u16`, with I32F32 fixed point): see
 * docs/weight-acceptance.md for the source, the order of the checks and why each step is exact.
 */
import { processWeights, type SubnetLimits } from './process';
import { toU16Weights, U16_MAX, type EmitWeights } from './u16';

/** The runtime's refusals of a vector itself, in the order `internal_set_weights` checks them. */
export type WeightVectorError =
  | 'WeightVecNotEqualSize'
  | 'UidsLengthExceedUidsInSubNet'
  | 'DuplicateUids'
  | 'UidVecContainInvalidOne'
  | 'WeightVecLengthIsLow'
  | 'MaxWeightExceeded';

export interface AcceptanceRules extends SubnetLimits {
  /** The sender's uid: a single weight on it is a self weight, exempt from length and limit. */
  validatorUid?: number;
}

// I32F32: a signed 64-bit integer of which the low 32 bits are the fraction.
const FRAC = 32n;
const ONE = 1n << FRAC;
const wrap = (bits: bigint) => BigInt.asIntN(64, bits);
const fromInt = (x: number | bigint) => BigInt(x) << FRAC;
/** I32F32 division: (a << 32) / b in a 128-bit integer, truncated; 0 for b = 0 (safe_div). */
const div = (a: bigint, b: bigint) => (b === 0n ? 0n : wrap((a << FRAC) / b));
/** I32F32 multiplication: (a · b) >> 32, truncated (saturating in range here). */
const mul = (a: bigint, b: bigint) => (a * b) >> FRAC;
/** `round()`: to the nearest integer, ties away from zero (non-negative values here). */
const round = (a: bigint) => ((a + (ONE >> 1n)) >> FRAC) << FRAC;
const toU16 = (a: bigint) => {
  const int = a >> FRAC;
  return Number(int < 0n ? 0n : int > BigInt(U16_MAX) ? BigInt(U16_MAX) : int);
};

/**
 * `vec_u16_max_upscale_to_u16`: what the chain stores and checks in place of the values sent. A
 * vector whose largest value is already 65535 comes back unchanged.
 */
export function maxUpscale(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const fixed = values.map(fromInt);
  const max = fixed.reduce((a, b) => (b > a ? b : a));
  const u16Max = fromInt(U16_MAX);
  if (max === 0n) return fixed.map((e) => toU16(mul(e, u16Max)));
  if (max > fromInt(32768)) {
    const scale = div(u16Max, max);
    return fixed.map((e) => toU16(round(mul(e, scale))));
  }
  return fixed.map((e) => toU16(round(div(mul(e, u16Max), max))));
}

/**
 * `check_vec_max_limited`: the largest value's proportion of the sum, both in I32F32 and truncated,
 * must not exceed `limit / 65535` in I32F32 (the sum wraps as the release runtime's does).
 */
export function maxLimited(values: readonly number[], maxWeightsLimit: number): boolean {
  const limit = div(fromInt(maxWeightsLimit), fromInt(U16_MAX));
  const fixed = values.map(fromInt);
  const sum = wrap(fixed.reduce((a, b) => a + b, 0n));
  const normalized = sum === 0n ? fixed : fixed.map((e) => div(e, sum));
  return normalized.every((v) => v <= limit);
}

/** The first rule the vector breaks, or undefined when the runtime accepts it. */
export function checkWeights(
  uids: readonly number[],
  values: readonly number[],
  rules: AcceptanceRules,
): WeightVectorError | undefined {
  const n = rules.neurons;
  if (uids.length !== values.length) return 'WeightVecNotEqualSize';
  if (uids.length > n) return 'UidsLengthExceedUidsInSubNet';
  if (new Set(uids).size !== uids.length) return 'DuplicateUids';
  // is_uid_exist_on_network: Keys holds uids 0 … SubnetworkN − 1.
  if (uids.some((uid) => !Number.isInteger(uid) || uid < 0 || uid >= n))
    return 'UidVecContainInvalidOne';
  const selfWeight = values.length === 1 && uids[0] === rules.validatorUid;
  if (!selfWeight && values.length < Math.min(rules.minAllowedWeights, n))
    return 'WeightVecLengthIsLow';
  if (!selfWeight && rules.maxWeightsLimit !== U16_MAX) {
    if (!maxLimited(maxUpscale(values), rules.maxWeightsLimit)) return 'MaxWeightExceeded';
  }
  return undefined;
}

export type AcceptedWeights = EmitWeights & {
  /** What was changed from the SDK's vector so the runtime accepts it; absent: nothing. */
  adjusted?: Array<'min_length' | 'max_weight' | 'spread'>;
};

export type Acceptance =
  { weights: AcceptedWeights } | { refused: { code: 'MaxWeightUnreachable'; reason: string } };

/**
 * The SDK's vector (`processWeights` then `toU16Weights`) where the runtime accepts it; otherwise
 * the nearest one it accepts:
 * - too few weights (values the SDK rounded to 0): those uids are kept at 1, the smallest value;
 * - the largest proportion over the limit: every value above c is lowered to c, for the largest c
 *   that passes (the smallest step), and the vector max-upscaled as the chain would, so that what
 *   is sent is what the chain stores;
 * - no c passes (too few uids carry weight for the limit to be reachable): the SDK's own minimum
 *   fill over every neuron, then the same lowering.
 * Refused only when even equal weights on every neuron exceed the limit.
 */
export function acceptedWeights(
  uids: readonly number[],
  scores: readonly number[],
  rules: AcceptanceRules,
): Acceptance {
  const sdk = convert(uids, scores, rules);
  if (checkWeights(sdk.uids, sdk.values, rules) === undefined)
    return { weights: { uids: sdk.uids, values: sdk.values } };
  const first = satisfy(sdk, rules);
  if (first) return { weights: first };
  // Spread over every neuron as the SDK's minimum fill does (scores plus 1e-5 each).
  const filled = convert(uids, scores, { ...rules, minAllowedWeights: rules.neurons });
  const spread = filled.uids.length > sdk.uids.length ? satisfy(filled, rules) : undefined;
  if (spread) return { weights: { ...spread, adjusted: [...(spread.adjusted ?? []), 'spread'] } };
  return {
    refused: {
      code: 'MaxWeightUnreachable',
      reason: `no weight vector over ${rules.neurons} neurons keeps every weight within MaxWeightsLimit ${rules.maxWeightsLimit}/65535`,
    },
  };
}

/** The SDK's conversion, keeping the uids it rounded to 0 (value 0) for the length rule. */
function convert(
  uids: readonly number[],
  scores: readonly number[],
  limits: SubnetLimits,
): AcceptedWeights & { zeros: number[] } {
  const processed = processWeights(uids, scores, limits);
  const sent = toU16Weights(processed.uids, processed.weights);
  const kept = new Set(sent.uids);
  const zeros = processed.uids.filter((uid, i) => processed.weights[i] > 0 && !kept.has(uid));
  return { ...sent, zeros };
}

function satisfy(
  vector: AcceptedWeights & { zeros: number[] },
  rules: AcceptanceRules,
): AcceptedWeights | undefined {
  let { uids, values } = vector;
  const adjusted: NonNullable<AcceptedWeights['adjusted']> = [];
  const minLength = Math.min(rules.minAllowedWeights, rules.neurons);
  if (checkWeights(uids, values, rules) === 'WeightVecLengthIsLow') {
    const missing = vector.zeros.slice(0, minLength - uids.length);
    const rows = [
      ...uids.map((uid, i) => [uid, values[i]] as const),
      ...missing.map((uid) => [uid, 1] as const),
    ].sort((a, b) => a[0] - b[0]);
    uids = rows.map(([uid]) => uid);
    values = rows.map(([, value]) => value);
    adjusted.push('min_length');
  }
  if (checkWeights(uids, values, rules) === 'MaxWeightExceeded') {
    const lowered = lowerLargest(values, (v) => maxLimited(v, rules.maxWeightsLimit));
    if (!lowered) return undefined;
    values = lowered;
    adjusted.push('max_weight');
  }
  if (checkWeights(uids, values, rules) !== undefined) return undefined;
  return { uids, values, adjusted };
}

/**
 * The values with everything above c lowered to c and max-upscaled, for the largest c that
 * passes. Lowering c never raises the largest proportion (the lowered entries reach 65535 again
 * and the others grow), so a binary search finds it.
 */
function lowerLargest(
  values: readonly number[],
  passes: (upscaled: number[]) => boolean,
): number[] | undefined {
  const at = (c: number) => maxUpscale(values.map((v) => Math.min(v, c)));
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (!passes(at(lo))) return undefined;
  // Invariant: at(lo) passes, at(hi) does not.
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (passes(at(mid))) lo = mid;
    else hi = mid;
  }
  return at(lo);
}
