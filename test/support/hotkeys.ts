import { encodeAddress } from '@polkadot/util-crypto';

/** A valid SS58 (prefix 42) address, distinct for each n. */
export function hotkey(n: number, prefix = 42): string {
  return encodeAddress(new Uint8Array(32).fill(n), prefix);
}
