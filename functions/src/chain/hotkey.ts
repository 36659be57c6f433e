/**
 * The validator hotkey from its secret. The secret may be a mnemonic, a 0x-prefixed 32-byte seed,
 * a secret URI (mnemonic or seed with //hard /soft derivations, or a dev URI such as //Alice), or
 * the JSON content of a Bittensor wallet hotkey file (`secretPhrase` or `secretSeed`). Errors never
 * contain the secret, nor any part of it.
 */
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady, mnemonicValidate } from '@polkadot/util-crypto';

export class HotkeySecretError extends Error {
  override name = 'HotkeySecretError';
}

export async function hotkeyFromSecret(secret: string): Promise<KeyringPair> {
  await cryptoWaitReady();
  const uri = secretUri(secret);
  try {
    return new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(uri);
  } catch {
    throw new HotkeySecretError(
      'the validator hotkey secret is not a valid mnemonic, seed or secret URI',
    );
  }
}

function secretUri(secret: string): string {
  const text = secret.trim();
  if (text === '') throw new HotkeySecretError('the validator hotkey secret is empty');
  if (text.startsWith('{')) return fromWalletFile(text);
  if (/^0x[0-9a-fA-F]*$/.test(text)) {
    if (text.length !== 66)
      throw new HotkeySecretError('a hex seed must be 32 bytes (0x and 64 hex digits)');
    return text;
  }
  if (text.startsWith('//') || text.includes('//') || text.includes('/')) return text;
  if (!mnemonicValidate(text)) {
    throw new HotkeySecretError(
      'the validator hotkey secret is not a valid mnemonic (wrong words or checksum)',
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
  if (typeof wallet.secretSeed === 'string' && /^0x[0-9a-fA-F]{64}$/.test(wallet.secretSeed))
    return wallet.secretSeed;
  if (typeof wallet.secretPhrase === 'string' && mnemonicValidate(wallet.secretPhrase.trim())) {
    return wallet.secretPhrase.trim();
  }
  throw new HotkeySecretError('the wallet hotkey file has no usable secretSeed or secretPhrase');
}
