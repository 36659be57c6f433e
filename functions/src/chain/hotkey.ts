/**
 * The validator hotkey from its secret. The secret may be a mnemonic or a 0x-prefixed 32-byte
 * seed, either optionally followed by a derivation path (//hard, /soft, ///password), or the JSON
 * content of a Bittensor wallet hotkey file (`secretSeed` or `secretPhrase`). Development URIs
 * (//Alice), whose keys everybody knows, sign only against a chain on this machine, or when the
 * caller says so. Errors never contain the secret, nor any part of it.
 */
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady, keyExtractSuri, mnemonicValidate } from '@polkadot/util-crypto';
import { isLocalEndpoint, type Endpoint } from './endpoints';

/** A secret that yields no key: never worth a retry, and recorded under its code. */
export class HotkeySecretError extends Error {
  override name = 'HotkeySecretError';
  /** The stable code a refused attempt is recorded under. */
  readonly code = 'InvalidHotkeySecret';
}

export interface HotkeySecretContext {
  /** The chain the key is to sign for: development keys are accepted when it is local. */
  endpoint?: Endpoint;
  /** Accept development keys wherever the chain is (an explicit operator choice). */
  allowDevelopmentKeys?: boolean;
}

/** Longer than any wallet file: a longer secret is refused unread. */
export const MAX_SECRET_LENGTH = 16_384;

const HEX_SEED = /^0x[0-9a-fA-F]{64}$/;

/** The key a secret gives; `context` says where it is to sign (`{}`: nowhere local). */
export async function hotkeyFromSecret(
  secret: string,
  context: HotkeySecretContext,
): Promise<KeyringPair> {
  await cryptoWaitReady();
  const uri = secretUri(secret, context);
  try {
    return new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(uri);
  } catch {
    throw new HotkeySecretError(
      'the validator hotkey secret is not a valid mnemonic, seed or secret URI',
    );
  }
}

/**
 * The secret URI to derive the key from. Anything Keyring would read that is not a mnemonic or
 * a seed is refused here: Keyring pads any other text of up to 32 characters into a raw seed
 * (`validator/default` signs, with a key nobody meant), so a misconfigured secret would sign
 * silently with the wrong key.
 */
function secretUri(secret: string, context: HotkeySecretContext): string {
  if (secret.length > MAX_SECRET_LENGTH) {
    throw new HotkeySecretError('the validator hotkey secret is too long to be a hotkey secret');
  }
  const text = secret.trim();
  if (text === '') throw new HotkeySecretError('the validator hotkey secret is empty');
  if (text.startsWith('{')) return fromWalletFile(text);
  if (text.startsWith('//')) {
    if (!context.allowDevelopmentKeys && !(context.endpoint && isLocalEndpoint(context.endpoint))) {
      throw new HotkeySecretError(
        'the validator hotkey secret is a development URI (//Name), whose key is public: ' +
          'it signs only against a local chain (127.0.0.1, localhost, devnet)',
      );
    }
    return text;
  }
  let phrase: string;
  try {
    phrase = keyExtractSuri(text).phrase;
  } catch {
    throw new HotkeySecretError(
      'the validator hotkey secret is not a mnemonic or a 0x seed, optionally followed by a derivation path',
    );
  }
  if (/^0x/i.test(phrase)) {
    if (!HEX_SEED.test(phrase))
      throw new HotkeySecretError('a hex seed must be 32 bytes (0x and 64 hex digits)');
    return text;
  }
  if (!mnemonicValidate(phrase)) {
    throw new HotkeySecretError(
      'the validator hotkey secret is not a valid mnemonic (wrong words or checksum) nor a 0x seed',
    );
  }
  return text;
}

/** A Bittensor wallet hotkey file: JSON with secretPhrase and/or secretSeed (and public fields). */
function fromWalletFile(text: string): string {
  let wallet: { secretPhrase?: unknown; secretSeed?: unknown };
  try {
    wallet = JSON.parse(text);
  } catch {
    throw new HotkeySecretError('the validator hotkey secret looks like JSON but does not parse');
  }
  if (typeof wallet !== 'object' || wallet === null) {
    throw new HotkeySecretError('the wallet hotkey file has no usable secretSeed or secretPhrase');
  }
  if (typeof wallet.secretSeed === 'string' && HEX_SEED.test(wallet.secretSeed))
    return wallet.secretSeed;
  if (typeof wallet.secretPhrase === 'string' && mnemonicValidate(wallet.secretPhrase.trim())) {
    return wallet.secretPhrase.trim();
  }
  throw new HotkeySecretError('the wallet hotkey file has no usable secretSeed or secretPhrase');
}
