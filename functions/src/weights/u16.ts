/**
 * The reference SDK's `convert_weights_and_uids_for_emit`: weights divided by their maximum,
 * times 65535, rounded half to even (Python's `round`), zeros dropped. Float64 throughout.
 */
export const U16_MAX = 65535;

export interface EmitWeights {
  uids: number[];
  values: number[];
}

export function toU16Weights(uids: readonly number[], weights: readonly number[]): EmitWeights {
  if (uids.length !== weights.length) throw new Error('uids and weights differ in length');
  if (weights.some((w) => w < 0 || Number.isNaN(w)))
    throw new Error('weights must be non-negative numbers');
  if (uids.some((uid) => !Number.isInteger(uid) || uid < 0 || uid > U16_MAX))
    throw new Error('uids must be u16');
  if (weights.reduce((a, b) => a + b, 0) === 0) return { uids: [], values: [] };
  const max = Math.max(...weights);
  const result: EmitWeights = { uids: [], values: [] };
  weights.forEach((w, i) => {
    const value = roundHalfEven((w / max) * U16_MAX);
    if (value !== 0) {
      result.uids.push(uids[i]);
      result.values.push(value);
    }
  });
  return result;
}

/** Python's round() for floats: ties go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
