import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, mnemonicToMiniSecret } from '@polkadot/util-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { hotkeyFromSecret } from '../../functions/src/chain/hotkey';

let keyring: Keyring;
// Substrate's public development phrase: no real funds, and none of its words occur in our messages.
const MNEMONIC = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';

beforeAll(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
});

describe('hotkeyFromSecret', () => {
  it('reads a mnemonic', async () => {
    expect((await hotkeyFromSecret(` ${MNEMONIC}\n`)).address).toBe(
      keyring.addFromMnemonic(MNEMONIC).address,
    );
  });

  it('reads a 0x seed', async () => {
    const seed = u8aToHex(mnemonicToMiniSecret(MNEMONIC));
    expect((await hotkeyFromSecret(seed)).address).toBe(
      keyring.addFromSeed(mnemonicToMiniSecret(MNEMONIC)).address,
    );
  });

  it('reads secret URIs, with derivation paths', async () => {
    expect((await hotkeyFromSecret('//Alice')).address).toBe(
      '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
    );
    expect((await hotkeyFromSecret(`${MNEMONIC}//validator/0`)).address).toBe(
      keyring.addFromUri(`${MNEMONIC}//validator/0`).address,
    );
  });

  it('reads a Bittensor wallet hotkey file, by secretSeed or secretPhrase', async () => {
    const pair = keyring.addFromMnemonic(MNEMONIC);
    const seed = u8aToHex(mnemonicToMiniSecret(MNEMONIC));
    const wallet = {
      accountId: u8aToHex(pair.publicKey),
      publicKey: u8aToHex(pair.publicKey),
      ss58Address: pair.address,
    };
    expect(
      (
        await hotkeyFromSecret(
          JSON.stringify({ ...wallet, secretPhrase: MNEMONIC, secretSeed: seed }),
        )
      ).address,
    ).toBe(pair.address);
    expect(
      (await hotkeyFromSecret(JSON.stringify({ ...wallet, secretPhrase: MNEMONIC }))).address,
    ).toBe(pair.address);
    expect((await hotkeyFromSecret(JSON.stringify({ ...wallet, secretSeed: seed }))).address).toBe(
      pair.address,
    );
  });

  const words = MNEMONIC.split(' ');
  it.each([
    ['empty', '   ', /empty/],
    [
      'a mnemonic with a wrong word',
      [...words.slice(0, 11), 'zzzz'].join(' '),
      /not a valid mnemonic/,
    ],
    ['a short hex seed', '0x1234abcd', /32 bytes/],
    ['broken JSON', `{"secretPhrase": "${MNEMONIC}"`, /does not parse/],
    [
      'a wallet file without secrets',
      '{"ss58Address": "5Grw"}',
      /no usable secretSeed or secretPhrase/,
    ],
  ])(
    'refuses %s with a message that does not repeat the secret',
    async (_name, secret, message) => {
      const error = await hotkeyFromSecret(secret).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(message);
      for (const word of words) expect((error as Error).message).not.toContain(word);
    },
  );
});
