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
import { mnemonicValidate } from '@polkadot/util-crypto';
import { hotkeyFromSecret, HotkeySecretError } from '../chain/hotkey';
import { canonicalHotkey } from '../leads/hotkey';

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

// Names are single path segments: a `../` in one would read a file outside the wallet. No name
// btcli makes holds a control character, and one would only forge the lines that quote it.
function checkName(what: string, name: string): void {
  if (name === '' || name === '.' || name === '..' || /[/\\\p{Cc}]/u.test(name)) {
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
    // Shown only when it decodes as an address, checksum and all: the field is the file's, and
    // text that merely looks like one could be anything, a secret included.
    const shown =
      typeof recorded === 'string' && canonicalHotkey(recorded) === recorded
        ? recorded
        : '(not an SS58 address)';
    throw new HotkeyImportError(
      `the hotkey file ${path} says ss58Address ${shown} but its key is ${address}; not importing`,
    );
  }
  // Secret Manager's messages do not echo payloads, but should one, these are cut out of it.
  const secrets = [content, seed, phrase, payload].filter((text) => text !== undefined);
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

/**
 * The address a field's secret gives. A secretSeed is a 0x seed and a secretPhrase a mnemonic,
 * nothing else: what is stored is read back by the publisher, which must find exactly this key.
 */
async function addressOf(secret: string, field: string, path: string): Promise<string> {
  const form =
    field === 'secretSeed'
      ? /^0x[0-9a-fA-F]{64}$/.test(secret) || 'it is not a 0x seed of 32 bytes'
      : mnemonicValidate(secret) || 'it is not a valid mnemonic (wrong words or checksum)';
  if (form !== true) {
    throw new HotkeyImportError(`the ${field} of the hotkey file ${path} is not usable: ${form}`);
  }
  try {
    return (await hotkeyFromSecret(secret, {})).address;
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

/** Runs `call`; a failure is rethrown with every form of every secret cut out of its message. */
async function redacting<T>(secrets: readonly string[], call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const message = redact(error instanceof Error ? error.message : String(error), secrets);
    // A new error, without the original's cause or stack, which could hold the request.
    const redacted = new HotkeyImportError(`Secret Manager: ${message}`);
    const code = grpcCode(error);
    if (typeof code === 'number') Object.assign(redacted, { code });
    throw redacted;
  }
}

/**
 * The text with each secret cut out as it is and as a library may print it: base64 (standard or
 * URL-safe, at any of the three byte alignments inside a longer buffer) and hex of its UTF-8
 * bytes, and for a 0x seed, of the seed's own bytes. An encoded copy is cut out with the whole
 * token around it, since its first and last characters mix in neighbouring bytes.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let message = text;
  for (const secret of secrets) {
    if (secret === '') continue;
    message = message.split(secret).join('[redacted]');
    for (const bytes of secretBytes(secret)) {
      for (const core of encodedCores(bytes)) message = cutTokens(message, core);
    }
  }
  return message;
}

const TOKEN_CHAR = /[A-Za-z0-9+/=_-]/;

/** The text with each token (a run of base64 or hex characters) that contains `core` cut out. */
function cutTokens(text: string, core: string): string {
  const find = new RegExp(escapeRegExp(core), 'gi');
  let out = '';
  let from = 0;
  for (let match = find.exec(text); match !== null; match = find.exec(text)) {
    let start = match.index;
    while (start > from && TOKEN_CHAR.test(text[start - 1])) start--;
    let end = match.index + core.length;
    while (end < text.length && TOKEN_CHAR.test(text[end])) end++;
    out += `${text.slice(from, start)}[redacted]`;
    from = end;
    find.lastIndex = end;
  }
  return out + text.slice(from);
}

function secretBytes(secret: string): Buffer[] {
  const forms = [Buffer.from(secret, 'utf8')];
  if (/^0x[0-9a-fA-F]{64}$/.test(secret)) forms.push(Buffer.from(secret.slice(2), 'hex'));
  return forms;
}

/** Runs of characters that any encoding of a buffer holding `bytes` contains (at least 8 long). */
function encodedCores(bytes: Buffer): string[] {
  const cores = [bytes.toString('hex')];
  for (let offset = 0; offset < 3; offset++) {
    const shifted = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Drop the characters that mix in the unknown bytes before and after.
    const start = offset === 0 ? 0 : 4;
    const end = Math.floor((offset + bytes.length) / 3) * 4;
    const core = shifted.slice(start, end);
    cores.push(core, core.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return [...new Set(cores)].filter((core) => core.length >= 8);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
