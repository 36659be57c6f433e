/**
 * Imports the validator hotkey from a Bittensor wallet into Secret Manager, where the publishing
 * function reads it. The wallet's hotkey file is read here and nowhere else: what leaves this module
 * (errors, the result) carries the public address and resource names only, never the seed, the
 * phrase or the file's content.
 */
import { readFile as readFileFromDisk } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { hotkeyFromSecret, HotkeySecretError } from '../chain/hotkey';

/** The secret the publisher reads the hotkey from, unless told otherwise. */
export const DEFAULT_SECRET_ID = 'VALIDATOR_HOTKEY';
/** Where btcli keeps wallets. */
export const DEFAULT_WALLET_PATH = '~/.bittensor/wallets';
/** Marks secrets this tool created, so that they can be told from hand-made ones. */
export const SECRET_LABELS = { 'managed-by': 'lead-weights' } as const;

// gRPC status codes (google.rpc.Code), as google-gax reports them in `error.code`.
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;

export class HotkeyImportError extends Error {
  override name = 'HotkeyImportError';
}

/** A wallet, hotkey, secret or project name that cannot be right, whatever the files hold. */
export class InvalidImportOptionError extends HotkeyImportError {
  override name = 'InvalidImportOptionError';
}

/** The calls this module makes; a SecretManagerServiceClient has them. */
export type SecretsClient = Pick<
  SecretManagerServiceClient,
  'getSecret' | 'createSecret' | 'addSecretVersion'
>;

export interface ImportHotkeyOptions {
  client: SecretsClient;
  projectId: string;
  /** Default {@link DEFAULT_SECRET_ID}. */
  secretId?: string;
  /** Default {@link DEFAULT_WALLET_PATH}; a leading `~` is the home directory. */
  walletPath?: string;
  wallet: string;
  hotkey: string;
  /** Reads a file as UTF-8; the disk by default. */
  readFile?: (path: string) => Promise<string>;
  /** The home directory `~` stands for; os.homedir() by default. */
  homeDir?: string;
}

export interface ImportedHotkey {
  /** The hotkey's SS58 address (prefix 42). */
  address: string;
  /** `projects/<project>/secrets/<secret>`. */
  secretName: string;
  /** The new version's resource name, as Secret Manager returned it (`…/versions/<n>`). */
  version: string;
  /** Whether the secret did not exist and was created. */
  created: boolean;
}

export async function importHotkey(options: ImportHotkeyOptions): Promise<ImportedHotkey> {
  const secretId = options.secretId ?? DEFAULT_SECRET_ID;
  checkSecretId(secretId);
  checkProjectId(options.projectId);
  const path = hotkeyFilePath(options);
  const content = await readHotkeyFile(path, options.readFile ?? readUtf8);
  const { payload, address, secrets } = await hotkeyFromFile(content, path);
  const secretName = `projects/${options.projectId}/secrets/${secretId}`;
  const created = await redacting(secrets, () =>
    ensureSecret(options.client, options.projectId, secretId, secretName),
  );
  const [version] = await redacting(secrets, () =>
    options.client.addSecretVersion({
      parent: secretName,
      payload: { data: Buffer.from(payload, 'utf8') },
    }),
  );
  if (!version.name) throw new HotkeyImportError('Secret Manager returned a version without name');
  return { address, secretName, version: version.name, created };
}

/** `<walletPath>/<wallet>/hotkeys/<hotkey>`, with `~` expanded. */
export function hotkeyFilePath(
  options: Pick<ImportHotkeyOptions, 'walletPath' | 'wallet' | 'hotkey' | 'homeDir'>,
): string {
  checkName('wallet', options.wallet);
  checkName('hotkey', options.hotkey);
  const walletPath = options.walletPath ?? DEFAULT_WALLET_PATH;
  const home = options.homeDir ?? homedir();
  const base =
    walletPath === '~'
      ? home
      : walletPath.startsWith('~/')
        ? join(home, walletPath.slice(2))
        : walletPath;
  return join(base, options.wallet, 'hotkeys', options.hotkey);
}

// Names are single path segments: a `../` in one would read a file outside the wallet.
function checkName(what: string, name: string): void {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new InvalidImportOptionError(`the ${what} name "${name}" is not a valid file name`);
  }
}

// Secret Manager's rule for secret ids; checked here for a clearer message than INVALID_ARGUMENT.
function checkSecretId(secretId: string): void {
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(secretId)) {
    throw new InvalidImportOptionError(
      `the secret id "${secretId}" is not valid (1 to 255 letters, digits, - and _)`,
    );
  }
}

function checkProjectId(projectId: string): void {
  if (!/^[a-z0-9][a-z0-9:.-]*$/.test(projectId)) {
    throw new InvalidImportOptionError(`the project id "${projectId}" is not valid`);
  }
}

function readUtf8(path: string): Promise<string> {
  return readFileFromDisk(path, 'utf8');
}

async function readHotkeyFile(
  path: string,
  readFile: (path: string) => Promise<string>,
): Promise<string> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') throw new HotkeyImportError(`no hotkey file at ${path}`);
    // Only the error code: an arbitrary reader's message is not known to be free of content.
    throw new HotkeyImportError(`cannot read the hotkey file ${path} (${code ?? 'read error'})`);
  }
}

/**
 * What to store and the address it gives. The payload is the file's secretSeed, else its
 * secretPhrase: both are what `hotkeyFromSecret` reads back, and the seed is shorter to handle.
 * The address is derived from the payload itself, so what is stored is what the publisher signs with.
 */
async function hotkeyFromFile(
  content: string,
  path: string,
): Promise<{ payload: string; address: string; secrets: string[] }> {
  const wallet = parseWalletFile(content, path);
  const seed = secretField(wallet, 'secretSeed');
  const phrase = secretField(wallet, 'secretPhrase');
  const payload = seed ?? phrase;
  if (payload === undefined) {
    throw new HotkeyImportError(`the hotkey file ${path} has no secretSeed nor secretPhrase`);
  }
  const address = await addressOf(
    payload,
    seed === undefined ? 'secretPhrase' : 'secretSeed',
    path,
  );
  if (seed !== undefined && phrase !== undefined) {
    const phraseAddress = await addressOf(phrase, 'secretPhrase', path);
    if (phraseAddress !== address) {
      throw new HotkeyImportError(
        `the hotkey file ${path} is inconsistent: its secretSeed gives ${address} but its secretPhrase gives ${phraseAddress}`,
      );
    }
  }
  const recorded = wallet.ss58Address;
  if (recorded !== undefined && recorded !== address) {
    // Shown only when it looks like an address: the field is the file's, not known to be public.
    const shown =
      typeof recorded === 'string' && /^[1-9A-HJ-NP-Za-km-z]{40,60}$/.test(recorded)
        ? recorded
        : '(not an SS58 address)';
    throw new HotkeyImportError(
      `the hotkey file ${path} says ss58Address ${shown} but its key is ${address}; not importing`,
    );
  }
  // Secret Manager's messages do not echo payloads, but should one, these are cut out of it.
  const secrets = [content, seed, phrase].filter((text) => text !== undefined);
  return { payload, address, secrets };
}

function parseWalletFile(content: string, path: string): Record<string, unknown> {
  const text = content.trim();
  const encrypted = new HotkeyImportError(
    `the hotkey file ${path} is encrypted or not JSON: encrypted hotkey files are not supported; ` +
      'import an unencrypted hotkey (btcli creates hotkeys unencrypted unless asked otherwise)',
  );
  // btcli's encrypted files start with $NACL (or $BTCLI, $ANSIBLE_VAULT, gAAAAA for older ones).
  if (text.startsWith('$')) throw encrypted;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the content: it is dropped.
    throw encrypted;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HotkeyImportError(`the hotkey file ${path} is not a Bittensor hotkey file`);
  }
  return parsed as Record<string, unknown>;
}

function secretField(wallet: Record<string, unknown>, field: string): string | undefined {
  const value = wallet[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return value.trim();
}

async function addressOf(secret: string, field: string, path: string): Promise<string> {
  try {
    return (await hotkeyFromSecret(secret)).address;
  } catch (error) {
    // HotkeySecretError messages never contain the secret; anything else is not trusted to.
    const why = error instanceof HotkeySecretError ? error.message : 'it cannot be read as a key';
    throw new HotkeyImportError(`the ${field} of the hotkey file ${path} is not usable: ${why}`);
  }
}

/** Creates the secret unless it exists; resolves to whether it was created. */
async function ensureSecret(
  client: SecretsClient,
  projectId: string,
  secretId: string,
  secretName: string,
): Promise<boolean> {
  try {
    await client.getSecret({ name: secretName });
    return false;
  } catch (error) {
    if (grpcCode(error) !== NOT_FOUND) throw error;
  }
  try {
    await client.createSecret({
      parent: `projects/${projectId}`,
      secretId,
      secret: { replication: { automatic: {} }, labels: { ...SECRET_LABELS } },
    });
    return true;
  } catch (error) {
    // Another import created it in between: adding the version to it is what is wanted.
    if (grpcCode(error) === ALREADY_EXISTS) return false;
    throw error;
  }
}

function grpcCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null
    ? (error as { code?: unknown }).code
    : undefined;
}

/** Runs `call`; a failure is rethrown with every secret string cut out of its message. */
async function redacting<T>(secrets: readonly string[], call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    let message = error instanceof Error ? error.message : String(error);
    for (const secret of secrets) {
      if (secret !== '') message = message.split(secret).join('[redacted]');
    }
    // A new error, without the original's cause or stack, which could hold the request.
    const redacted = new HotkeyImportError(`Secret Manager: ${message}`);
    const code = grpcCode(error);
    if (typeof code === 'number') Object.assign(redacted, { code });
    throw redacted;
  }
}
