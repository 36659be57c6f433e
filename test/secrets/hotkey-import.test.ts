// `weights hotkey import` against the real Secret Manager client, talking gRPC to an in-process
// server built from the client's own protos: what is stored, what is refused, what is printed.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { credentials } from '@grpc/grpc-js';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, mnemonicToMiniSecret } from '@polkadot/util-crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { hotkeyFromSecret } from '../../functions/src/chain/hotkey';
import { hotkeyImport } from '../../functions/src/cli/hotkey-import';
import {
  hotkeyFilePath,
  HotkeyImportError,
  importHotkey,
  SECRET_LABELS,
  type SecretsClient,
} from '../../functions/src/secrets/hotkey-import';
import {
  startSecretManagerServer,
  type SecretManagerServer,
} from '../support/secret-manager-server';

// Substrate's public development phrase: no real funds, and none of its words occur in our messages.
const MNEMONIC = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
const PROJECT = 'demo-secrets';

let server: SecretManagerServer;
let client: SecretManagerServiceClient;
let walletPath: string;
let seed: string;
let address: string;
let walletFile: Record<string, string>;

/** Writes `<walletPath>/<wallet>/hotkeys/<hotkey>`, as btcli does. */
async function writeHotkey(wallet: string, hotkey: string, content: string): Promise<string> {
  const path = hotkeyFilePath({ walletPath, wallet, hotkey });
  await mkdir(join(walletPath, wallet, 'hotkeys'), { recursive: true });
  await writeFile(path, content, { mode: 0o600 });
  return path;
}

/** The error importHotkey rejects with, for its message to be looked at. */
async function importError(options: Partial<Parameters<typeof importHotkey>[0]>): Promise<Error> {
  const error = await importHotkey({
    client,
    projectId: PROJECT,
    walletPath,
    wallet: 'w',
    hotkey: 'h',
    ...options,
  }).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(HotkeyImportError);
  return error as Error;
}

function expectNoSecret(text: string): void {
  expect(text).not.toContain(seed);
  expect(text).not.toContain(seed.slice(2));
  for (const word of MNEMONIC.split(' ')) expect(text).not.toContain(word);
}

beforeAll(async () => {
  await cryptoWaitReady();
  const pair = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromMnemonic(MNEMONIC);
  seed = u8aToHex(mnemonicToMiniSecret(MNEMONIC));
  address = pair.address;
  // Bittensor's Keypair JSON for an unencrypted hotkey file.
  walletFile = {
    accountId: u8aToHex(pair.publicKey),
    publicKey: u8aToHex(pair.publicKey),
    secretPhrase: MNEMONIC,
    secretSeed: seed,
    ss58Address: address,
  };
  server = await startSecretManagerServer();
  client = new SecretManagerServiceClient({
    apiEndpoint: '127.0.0.1',
    port: server.port,
    sslCreds: credentials.createInsecure(),
    // Given, google-auth does not look for credentials (nor probe the metadata server) to learn it.
    universeDomain: 'googleapis.com',
  });
});

afterAll(async () => {
  await client.close();
  await server.stop();
});

beforeEach(async () => {
  server.secrets.clear();
  walletPath = await mkdtemp(join(tmpdir(), 'wallets-'));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(walletPath, { recursive: true, force: true });
});

describe('importHotkey', () => {
  it('creates the secret with version 1, then adds version 2', async () => {
    await writeHotkey('validator', 'default', JSON.stringify(walletFile));
    const options = {
      client,
      projectId: PROJECT,
      walletPath,
      wallet: 'validator',
      hotkey: 'default',
    };

    const first = await importHotkey(options);
    const secretName = `projects/${PROJECT}/secrets/VALIDATOR_HOTKEY`;
    expect(first).toEqual({
      address,
      secretName,
      version: `${secretName}/versions/1`,
      created: true,
    });
    const [secret] = await client.getSecret({ name: secretName });
    expect(secret.labels).toEqual(SECRET_LABELS);
    expect(secret.replication?.automatic).toBeTruthy();

    const second = await importHotkey(options);
    expect(second).toEqual({
      address,
      secretName,
      version: `${secretName}/versions/2`,
      created: false,
    });
    const [versions] = await client.listSecretVersions({ parent: secretName });
    expect(versions.map((version) => version.name).sort()).toEqual([
      `${secretName}/versions/1`,
      `${secretName}/versions/2`,
    ]);
    expectNoSecret(JSON.stringify([first, second]));
  });

  it('stores the seed, which gives the same hotkey back', async () => {
    await writeHotkey('w', 'h', JSON.stringify(walletFile));
    const { version } = await importHotkey({
      client,
      projectId: PROJECT,
      secretId: 'other-secret',
      walletPath,
      wallet: 'w',
      hotkey: 'h',
    });
    const [access] = await client.accessSecretVersion({ name: version });
    const payload = Buffer.from(access.payload?.data ?? '').toString('utf8');
    expect(payload).toBe(seed);
    expect((await hotkeyFromSecret(payload, {})).address).toBe(address);
  });

  it('stores the phrase when the file has no seed', async () => {
    // JSON.stringify leaves out undefined fields: the file has no secretSeed at all.
    await writeHotkey('w', 'h', JSON.stringify({ ...walletFile, secretSeed: undefined }));
    const { version } = await importHotkey({
      client,
      projectId: PROJECT,
      walletPath,
      wallet: 'w',
      hotkey: 'h',
    });
    const [access] = await client.accessSecretVersion({ name: version });
    const payload = Buffer.from(access.payload?.data ?? '').toString('utf8');
    expect(payload).toBe(MNEMONIC);
    expect((await hotkeyFromSecret(payload, {})).address).toBe(address);
  });

  it('adds the version when the secret was created between its lookup and its creation', async () => {
    await writeHotkey('w', 'h', JSON.stringify(walletFile));
    const secretName = `projects/${PROJECT}/secrets/VALIDATOR_HOTKEY`;
    await client.createSecret({
      parent: `projects/${PROJECT}`,
      secretId: 'VALIDATOR_HOTKEY',
      secret: { replication: { automatic: {} } },
    });
    // The lookup still sees no secret: createSecret then answers ALREADY_EXISTS.
    const racing = {
      getSecret: () => Promise.reject(Object.assign(new Error('5 NOT_FOUND'), { code: 5 })),
      createSecret: client.createSecret.bind(client),
      addSecretVersion: client.addSecretVersion.bind(client),
    } as unknown as SecretsClient;
    const result = await importHotkey({
      client: racing,
      projectId: PROJECT,
      walletPath,
      wallet: 'w',
      hotkey: 'h',
    });
    expect(result).toMatchObject({ version: `${secretName}/versions/1`, created: false });
  });

  it('refuses a file whose ss58Address is not its key', async () => {
    const other = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Alice').address;
    await writeHotkey('w', 'h', JSON.stringify({ ...walletFile, ss58Address: other }));
    const error = await importError({});
    expect(error.message).toContain(`says ss58Address ${other} but its key is ${address}`);
    expectNoSecret(error.message);
    expect(server.secrets.size).toBe(0);
  });

  it.each([
    ['a $NACL file', `$NACL${Buffer.from(MNEMONIC).toString('base64')}`],
    ['a $BTCLI file', `$BTCLI${Buffer.from(MNEMONIC).toString('hex')}`],
    ['a file that is not JSON', MNEMONIC],
  ])('refuses %s: encrypted files are not supported', async (_, content) => {
    const path = await writeHotkey('w', 'h', content);
    const error = await importError({});
    expect(error.message).toContain('encrypted hotkey files are not supported');
    expect(error.message).toContain(path);
    expectNoSecret(error.message);
    expect(server.secrets.size).toBe(0);
  });

  it('names the path of a missing file', async () => {
    const error = await importError({ wallet: 'nowallet', hotkey: 'nohotkey' });
    expect(error.message).toBe(
      `no hotkey file at ${join(walletPath, 'nowallet', 'hotkeys', 'nohotkey')}`,
    );
  });

  it('refuses a file without a usable key, without quoting it', async () => {
    await writeHotkey('w', 'h', JSON.stringify({ ...walletFile, secretSeed: '0x1234' }));
    const error = await importError({});
    expect(error.message).toContain('secretSeed of the hotkey file');
    expectNoSecret(error.message);
  });

  it('expands ~ in the wallet path and keeps names to one path segment', async () => {
    expect(hotkeyFilePath({ wallet: 'w', hotkey: 'h', homeDir: '/home/op' })).toBe(
      '/home/op/.bittensor/wallets/w/hotkeys/h',
    );
    expect(hotkeyFilePath({ walletPath: '~', wallet: 'w', hotkey: 'h', homeDir: '/x' })).toBe(
      '/x/w/hotkeys/h',
    );
    expect(() => hotkeyFilePath({ walletPath, wallet: '..', hotkey: 'h' })).toThrow(
      'the wallet name ".." is not a valid file name',
    );
    expect(() => hotkeyFilePath({ walletPath, wallet: 'w', hotkey: '../../x' })).toThrow(
      HotkeyImportError,
    );
  });
});

describe('weights hotkey import', () => {
  interface Run {
    code: number;
    stdout: string;
    stderr: string;
  }

  async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
    let stdout = '';
    let stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    try {
      const code = await hotkeyImport(args, {
        SECRET_MANAGER_EMULATOR_HOST: `127.0.0.1:${server.port}`,
        ...env,
      });
      return { code, stdout, stderr };
    } finally {
      vi.restoreAllMocks();
    }
  }

  it('stores the hotkey and prints only its address and the version', async () => {
    await writeHotkey('validator', 'default', JSON.stringify(walletFile));
    const args = ['--wallet', 'validator', '--hotkey', 'default', '--wallet-path', walletPath];

    const first = await cli([...args, '--project', PROJECT]);
    const name = `projects/${PROJECT}/secrets/VALIDATOR_HOTKEY`;
    expect(first).toEqual({
      code: 0,
      stdout: `Stored the validator hotkey ${address} as ${name}/versions/1\n`,
      stderr: '',
    });

    // The project from the environment, and another secret id.
    const second = await cli([...args, '--secret', 'HOTKEY_2'], { GOOGLE_CLOUD_PROJECT: PROJECT });
    expect(second).toEqual({
      code: 0,
      stdout: `Stored the validator hotkey ${address} as projects/${PROJECT}/secrets/HOTKEY_2/versions/1\n`,
      stderr: '',
    });
    const stored = server.secrets.get(name)?.versions[0]?.data.toString('utf8');
    expect(stored).toBe(seed);
    expectNoSecret(JSON.stringify([first, second]));
  });

  it('fails with exit code 1 and a clear message, never the key', async () => {
    const path = await writeHotkey(
      'w',
      'h',
      JSON.stringify({
        ...walletFile,
        ss58Address: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
      }),
    );
    const args = [
      '--wallet',
      'w',
      '--hotkey',
      'h',
      '--wallet-path',
      walletPath,
      '--project',
      PROJECT,
    ];
    const mismatch = await cli(args);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toBe('');
    expect(mismatch.stderr).toContain(`weights: the hotkey file ${path} says ss58Address`);

    await writeFile(path, `$NACL${MNEMONIC}`);
    const encrypted = await cli(args);
    expect(encrypted.code).toBe(1);
    expect(encrypted.stderr).toContain('encrypted hotkey files are not supported');

    const missing = await cli([...args.slice(0, 2), '--hotkey', 'none', ...args.slice(4)]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      `no hotkey file at ${join(walletPath, 'w', 'hotkeys', 'none')}`,
    );

    for (const run of [mismatch, encrypted, missing]) expectNoSecret(run.stdout + run.stderr);
    expect(server.secrets.size).toBe(0);
  });

  it('reports Secret Manager errors with exit code 1', async () => {
    await writeHotkey('w', 'h', JSON.stringify(walletFile));
    const args = [
      '--wallet',
      'w',
      '--hotkey',
      'h',
      '--wallet-path',
      walletPath,
      '--project',
      PROJECT,
    ];
    // A port nothing listens on any more: a server's, once stopped.
    const gone = await startSecretManagerServer();
    await gone.stop();
    const run = await cli(args, { SECRET_MANAGER_EMULATOR_HOST: `127.0.0.1:${gone.port}` });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^weights: Secret Manager: \d+ UNAVAILABLE/);
    expectNoSecret(run.stdout + run.stderr);
  });

  it.each([
    [['--hotkey', 'h', '--project', PROJECT], '--wallet <name> is required'],
    [['--wallet', 'w', '--project', PROJECT], '--hotkey <name> is required'],
    [['--wallet', 'w', '--hotkey', 'h'], 'no project'],
    [
      ['--wallet', 'w', '--hotkey', 'h', '--project', PROJECT, '--bogus'],
      "Unknown option '--bogus'",
    ],
    [['--wallet', 'w', '--hotkey', 'h', '--project', PROJECT, 'extra'], 'extra'],
    [['--wallet', '..', '--hotkey', 'h', '--project', PROJECT], 'not a valid file name'],
    [['--wallet', 'w', '--hotkey', 'h', '--project', PROJECT, '--secret', 'a/b'], 'secret id'],
  ])('exits with 2 on usage errors: %j', async (args, message) => {
    const run = await cli(args, { GCLOUD_PROJECT: undefined, GOOGLE_CLOUD_PROJECT: undefined });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('Usage: weights hotkey import');
  });

  it('exits with 2 on a malformed SECRET_MANAGER_EMULATOR_HOST', async () => {
    const run = await cli(['--wallet', 'w', '--hotkey', 'h', '--project', PROJECT], {
      SECRET_MANAGER_EMULATOR_HOST: 'localhost',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SECRET_MANAGER_EMULATOR_HOST must be host:port');
  });

  it('prints its help with exit code 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: weights hotkey import');
  });
});
