import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';

/** Bittensor's SS58 prefix. */
export const SS58_PREFIX = 42;

/**
 * The longest SS58 address of a 32-byte key: a two-byte prefix, the key and a two-byte checksum
 * are 36 bytes, at most 50 base58 characters.
 */
export const MAX_SS58_LENGTH = 50;

/** Room for the spaces a producer may leave around an address; a longer value is not looked at. */
const MAX_HOTKEY_TEXT = 2 * MAX_SS58_LENGTH;

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/;

/**
 * The canonical (prefix 42) SS58 form of a hotkey, or undefined when the value is not an SS58
 * address. The same key written with another prefix counts as the same miner.
 *
 * The value is a miner's, and base58 decoding takes time in the square of the length (a 100 KB
 * "hotkey" took 47 s): length and alphabet are checked first, so any value costs microseconds.
 * The alphabet also refuses what decodeAddress would take besides SS58, a 0x-hex public key.
 */
export function canonicalHotkey(value: string): string | undefined {
  if (value.length > MAX_HOTKEY_TEXT) return undefined;
  const text = value.trim();
  if (text.length > MAX_SS58_LENGTH || !BASE58.test(text)) return undefined;
  try {
    const publicKey = decodeAddress(text);
    return publicKey.length === 32 ? encodeAddress(publicKey, SS58_PREFIX) : undefined;
  } catch {
    return undefined;
  }
}

export interface SelfExclusion {
  /** The shares to publish. */
  shares: Record<string, number>;
  /** The validator's own entry, when it was scored and left out. */
  excluded?: { hotkey: string; share: number };
}

/**
 * The shares without the validator's own hotkey, unless self-weight is allowed. Leads are the
 * miners' data: a lead naming the validator as its miner would have the validator vote for
 * itself with its miners' weight. Its share is dropped as an unregistered miner's is (the others
 * keep theirs; the chain normalises what is sent).
 */
export function withoutValidatorHotkey(
  shares: Readonly<Record<string, number>>,
  validator: string,
  allowSelfWeight: boolean,
): SelfExclusion {
  const own = canonicalHotkey(validator);
  if (allowSelfWeight || own === undefined || !Object.hasOwn(shares, own)) {
    return { shares: { ...shares } };
  }
  const { [own]: share, ...others } = shares;
  return { shares: others, excluded: { hotkey: own, share } };
}
