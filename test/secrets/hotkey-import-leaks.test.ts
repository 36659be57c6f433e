// `weights hotkey import` leaks nothing of the key (issue 12, finding 7), and stores only a key
// the publisher reads back as the same key (finding 6).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { base58Encode, cryptoWaitReady, mnemonicToMiniSecret } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HotkeyImportError,
  importHotkey,
  redact,
  type SecretsClient,
} from '../../functions/src/secrets/hotkey-import';
import {
  startSecretManagerServer,
  type SecretManagerServer,
} from '../support/secret-manager-server';

// A BIP-39 test vector: no funds anywhere, and its words occur in none of our messages.
const MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
const PROJECT = 'demo-secret-leaks';

let server: SecretManagerServer;
let walletPath: string;
let seed: string;
let walletFile: Record<string, string>;

/** Every form of the key a log or an error could carry. */
function forms(): string[] {
  const seedBytes = Buffer.from(seed.slice(2), 'hex');
  const payload = Buffer.from(seed, 'utf8');
  return [
    seed,
    seed.slice(2),
    seed.slice(2).toUpperCase(),
    ...MNEMONIC.split(' ').filter((word) => word.length > 4),
    seedBytes.toString('base64').slice(4, -4),
    payload.toString('base64').slice(4, -4),
    payload.toString('base64url').slice(4, -4),
    payload.toString('hex').slice(8, -8),
    // A Buffer as JSON: its bytes as decimal numbers.
    [...payload.subarray(2, 30)].join(','),
    base58Encode(seedBytes).slice(2, -2),
  ];
}

function expectNoKey(text: string): void {
  for (const form of forms()) expect(text).not.toContain(form);
}

beforeAll(async () => {
  await cryptoWaitReady();
  const pair = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromMnemonic(MNEMONIC);
  seed = u8aToHex(mnemonicToMiniSecret(MNEMONIC));
  walletFile = {
    accountId: u8aToHex(pair.publicKey),
    publicKey: u8aToHex(pair.publicKey),
    secretPhrase: MNEMONIC,
    secretSeed: seed,
    ss58Address: pair.address,
  };
  server = await startSecretManagerServer();
  walletPath = await mkdtemp(join(tmpdir(), 'wallets-'));
});

afterAll(async () => {
  await server.stop();
  await rm(walletPath, { recursive: true, force: true });
});

async function writeHotkey(hotkey: string, content: Record<string, string>): Promise<void> {
  await mkdir(join(walletPath, 'w', 'hotkeys'), { recursive: true });
  await writeFile(join(walletPath, 'w', 'hotkeys', hotkey), JSON.stringify(content));
}

/** A client whose every call fails with `message`, as a library error might read. */
function failingClient(message: string): SecretsClient {
  const fail = () => Promise.reject(Object.assign(new Error(message), { code: 3 }));
  return { getSecret: fail, createSecret: fail, addSecretVersion: fail } as never;
}

/** The error importing wallet w's `hotkey` fails with, Secret Manager failing with `message`. */
async function importError(hotkey: string, message = 'unused'): Promise<Error> {
  const error = await importHotkey({
    client: failingClient(message),
    projectId: PROJECT,
    walletPath,
    wallet: 'w',
    hotkey,
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HotkeyImportError);
  return error as Error;
}

describe('hotkey import', () => {
  it('prints nothing of the key with GOOGLE_SDK_NODE_LOGGING set, and says it is off', async () => {
    await writeHotkey('logged', walletFile);
    const run = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          'functions/bin/weights.js',
          'hotkey',
          'import',
          '--wallet',
          'w',
          '--hotkey',
          'logged',
          '--wallet-path',
          walletPath,
          '--project',
          PROJECT,
        ],
        {
          env: {
            ...process.env,
            GOOGLE_SDK_NODE_LOGGING: '*',
            SECRET_MANAGER_EMULATOR_HOST: `127.0.0.1:${server.port}`,
          },
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
      );
    });
    expectNoKey(run.output);
    expect(run.output).toContain('GOOGLE_SDK_NODE_LOGGING is ignored by hotkey import');
    expect(run.code).toBe(0);
    const stored = server.secrets.get(`projects/${PROJECT}/secrets/VALIDATOR_HOTKEY`);
    expect(stored?.versions[0].data.toString('utf8')).toBe(seed);
  });

  it('cuts base64 and hex copies of the key out of library errors', async () => {
    await writeHotkey('failing', walletFile);
    const payload = Buffer.from(seed, 'utf8');
    const seedBytes = Buffer.from(seed.slice(2), 'hex');
    for (const leaked of [
      payload.toString('base64'),
      Buffer.concat([Buffer.from('{"data":"'), payload]).toString('base64'),
      Buffer.concat([Buffer.from('x'), payload, Buffer.from('y')]).toString('base64url'),
      payload.toString('hex').toUpperCase(),
      seedBytes.toString('base64'),
      Buffer.concat([Buffer.from([10, 32]), seedBytes]).toString('hex'),
      seed.slice(2),
    ]) {
      const error = await importError('failing', `INVALID_ARGUMENT: payload ${leaked} rejected`);
      expect(error.message).toMatch(/^Secret Manager: INVALID_ARGUMENT: payload .* rejected$/);
      expect(error.message).not.toContain(leaked.slice(4, -4));
      expectNoKey(error.message);
    }
  });

  it('redacts nothing else', () => {
    expect(redact('NOT_FOUND: projects/p/secrets/s', [seed, MNEMONIC])).toBe(
      'NOT_FOUND: projects/p/secrets/s',
    );
  });

  it('shows a recorded ss58Address only when it decodes as one', async () => {
    const lookalike = base58Encode(Buffer.from(seed.slice(2), 'hex'));
    expect(lookalike).toMatch(/^[1-9A-HJ-NP-Za-km-z]{40,60}$/);
    await writeHotkey('lookalike', { ...walletFile, ss58Address: lookalike });
    const error = await importError('lookalike');
    expect(error.message).toContain('says ss58Address (not an SS58 address)');
    expectNoKey(error.message);
  });

  it.each([
    ['a secretSeed that is a path', { secretSeed: 'validator/default' }],
    ['a secretSeed that is a development URI', { secretSeed: '//Alice' }],
    ['a secretPhrase with a path', { secretPhrase: `${MNEMONIC}//0` }],
    ['a secretPhrase of one word', { secretPhrase: 'validator' }],
  ])('refuses %s: the publisher would not read it back as a key', async (_name, fields) => {
    await writeHotkey('odd', { ss58Address: walletFile.ss58Address, ...fields });
    const error = await importError('odd');
    expect(error.message).toMatch(/is not usable/);
    expect(error.message).not.toMatch(/validator\/|Alice/);
  });
});
