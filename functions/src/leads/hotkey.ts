import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';

/** Bittensor's SS58 prefix. */
export const SS58_PREFIX = 42;

/**
 * The canonical (prefix 42) SS58 form of a hotkey, or undefined when the value is not an SS58
 * address. The same key written with another prefix counts as the same miner.
 */
export function canonicalHotkey(value: string): string | undefined {
  try {
    const publicKey = decodeAddress(value.trim());
    return publicKey.length === 32 ? encodeAddress(publicKey, SS58_PREFIX) : undefined;
  } catch {
    return undefined;
  }
}
