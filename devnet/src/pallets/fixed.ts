/**
 * The runtime's max-weight arithmetic (its `vec_u16_max_upscale_to_u16` and
 * `check_vec_max_limited`, in I32F32: 32 fraction bits, truncating multiplication
 * and division, `round()` with ties away from zero). Exact integers, so devnet refuses and accepts
 * exactly the vectors the real runtime does (docs/weight-acceptance.md).
 */
const U16_MAX = 65535;
const FRAC = 32n;
const ONE = 1n << FRAC;
const wrap = (bits: bigint) => BigInt.asIntN(64, bits);
const fromInt = (x: number | bigint) => BigInt(x) << FRAC;
const div = (a: bigint, b: bigint) => (b === 0n ? 0n : wrap((a << FRAC) / b));
const mul = (a: bigint, b: bigint) => (a * b) >> FRAC;
const round = (a: bigint) => ((a + (ONE >> 1n)) >> FRAC) << FRAC;
const toU16 = (a: bigint) => {
  const int = a >> FRAC;
  return Number(int < 0n ? 0n : int > BigInt(U16_MAX) ? BigInt(U16_MAX) : int);
};

/** `vec_u16_max_upscale_to_u16`: the largest value becomes 65535, the rest in proportion. */
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

/** `check_vec_max_limited`: every value's proportion of the sum is at most limit / 65535. */
export function maxLimited(values: readonly number[], maxWeightsLimit: number): boolean {
  const limit = div(fromInt(maxWeightsLimit), fromInt(U16_MAX));
  const fixed = values.map(fromInt);
  const sum = wrap(fixed.reduce((a, b) => a + b, 0n));
  const normalized = sum === 0n ? fixed : fixed.map((e) => div(e, sum));
  return normalized.every((v) => v <= limit);
}
