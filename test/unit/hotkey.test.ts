import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, mnemonicToMiniSecret } from '@polkadot/util-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveEndpoint } from '../../functions/src/chain/endpoints';
import { hotkeyFromSecret, HotkeySecretError } from '../../functions/src/chain/hotkey';

let keyring: Keyring;
// Substrate's public development phrase: no real funds, and none of its words occur in our messages.
const MNEMONIC = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';

beforeAll(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
});

describe('hotkeyFromSecret', () => {
  it('reads a mnemonic', async () => {
    expect((await hotkeyFromSecret(` ${MNEMONIC}\n`, {})).address).toBe(
      keyring.addFromMnemonic(MNEMONIC).address,
    );
  });

  it('reads a 0x seed', async () => {
    const seed = u8aToHex(mnemonicToMiniSecret(MNEMONIC));
    expect((await hotkeyFromSecret(seed, {})).address).toBe(
      keyring.addFromSeed(mnemonicToMiniSecret(MNEMONIC)).address,
    );
  });

  it('reads secret URIs, with derivation paths', async () => {
    expect((await hotkeyFromSecret('//Alice', { allowDevelopmentKeys: true })).address).toBe(
      '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
    );
    expect((await hotkeyFromSecret(`${MNEMONIC}//validator/0`, {})).address).toBe(
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
          {},
        )
      ).address,
    ).toBe(pair.address);
    expect(
      (await hotkeyFromSecret(JSON.stringify({ ...wallet, secretPhrase: MNEMONIC }), {})).address,
    ).toBe(pair.address);
    expect(
      (await hotkeyFromSecret(JSON.stringify({ ...wallet, secretSeed: seed }), {})).address,
    ).toBe(pair.address);
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
      const error = await hotkeyFromSecret(secret, {}).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(message);
      for (const word of words) expect((error as Error).message).not.toContain(word);
    },
  );
});

describe('hotkeyFromSecret: only a mnemonic or a seed, with a path (issue 12, findings 5 and 6)', () => {
  const local = resolveEndpoint('local');
  const finney = resolveEndpoint('finney');
  const words = MNEMONIC.split(' ');

  it.each([
    ['a path-like word', 'validator/default'],
    ['a word and a hard path', 'validator//default'],
    ['one word', 'validator'],
    ['a wrong mnemonic with a path', `${[...words.slice(0, 11), 'zzzz'].join(' ')}//0`],
    ['a short seed with a path', '0x1234//hard'],
    ['a wallet seed that is a URI', JSON.stringify({ secretSeed: 'validator/default' })],
    ['text longer than any secret', 'a'.repeat(100_000)],
  ])('refuses %s, as InvalidHotkeySecret, without repeating it', async (_name, secret) => {
    const error = await hotkeyFromSecret(secret, { endpoint: local }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(HotkeySecretError);
    expect((error as HotkeySecretError).code).toBe('InvalidHotkeySecret');
    expect((error as Error).message).not.toMatch(/validator\/|default|zzzz|0x1234|aaaa/);
  });

  it('still reads a mnemonic or a seed followed by a derivation path', async () => {
    const seed = u8aToHex(mnemonicToMiniSecret(MNEMONIC));
    expect((await hotkeyFromSecret(`${seed}//hard/soft`, { endpoint: finney })).address).toBe(
      keyring.addFromUri(`${seed}//hard/soft`).address,
    );
    expect(
      (await hotkeyFromSecret(`${MNEMONIC}//0///password`, { endpoint: finney })).address,
    ).toBe(keyring.addFromUri(`${MNEMONIC}//0///password`).address);
  });

  it('takes development URIs only for a local chain, or when told to', async () => {
    const alice = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
    for (const endpoint of [
      local,
      resolveEndpoint('ws://localhost:9944'),
      resolveEndpoint('ws://127.0.0.1:40123'),
      resolveEndpoint('ws://devnet:9944'),
    ]) {
      expect((await hotkeyFromSecret('//Alice', { endpoint })).address).toBe(alice);
    }
    expect((await hotkeyFromSecret('//Alice', { allowDevelopmentKeys: true })).address).toBe(alice);
    for (const endpoint of [finney, resolveEndpoint('wss://node.example:443')]) {
      const error = await hotkeyFromSecret('//Alice', { endpoint }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(HotkeySecretError);
      expect((error as Error).message).toMatch(/development URI/);
      expect((error as Error).message).not.toContain('Alice');
    }
    await expect(hotkeyFromSecret('//Alice', {})).rejects.toThrow(/development URI/);
  });
});
