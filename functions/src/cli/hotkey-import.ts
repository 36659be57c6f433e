/** `weights hotkey import`: stores the validator hotkey of a Bittensor wallet in Secret Manager. */
import { createRequire } from 'node:module';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { credentials } from '@grpc/grpc-js';
import { escapeControl } from '../logs/escape';
import {
  DEFAULT_SECRET_ID,
  DEFAULT_WALLET_PATH,
  importHotkey,
  InvalidImportOptionError,
} from '../secrets/hotkey-import';

export const HOTKEY_IMPORT_USAGE = `Usage: weights hotkey import --wallet <name> --hotkey <name> [options]

Stores the wallet's hotkey as a new version of a Secret Manager secret (created if missing), from
which the publishing function reads the validator hotkey. Prints only the hotkey's address.

Options:
  --wallet <name>        Wallet name (a folder of the wallet path)
  --hotkey <name>        Hotkey name (a file in <wallet>/hotkeys)
  --wallet-path <dir>    Where the wallets are (default ${DEFAULT_WALLET_PATH})
  --project <id>         Google Cloud project (default GCLOUD_PROJECT or GOOGLE_CLOUD_PROJECT)
  --secret <id>          Secret id (default ${DEFAULT_SECRET_ID})
  -h, --help             Show this help

The hotkey file must be unencrypted. Secret Manager is reached with Application Default
Credentials, or without credentials at SECRET_MANAGER_EMULATOR_HOST (host:port) when it is set.
The client libraries' debug logging (GOOGLE_SDK_NODE_LOGGING) is off for this command: it would
print the request, and the request holds the key.`;

const OPTIONS = {
  wallet: { type: 'string' },
  hotkey: { type: 'string' },
  'wallet-path': { type: 'string' },
  project: { type: 'string' },
  secret: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

class UsageError extends Error {}

/** Runs `weights hotkey import` with the arguments after `import`; resolves to the exit code. */
export async function hotkeyImport(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  try {
    return await runImport(args, env);
  } catch (error) {
    const message = escapeControl(error instanceof Error ? error.message : String(error));
    if (error instanceof UsageError || error instanceof InvalidImportOptionError) {
      process.stderr.write(`weights: ${message}\n\n${HOTKEY_IMPORT_USAGE}\n`);
      return 2;
    }
    // Every message here is free of the key: importHotkey's own, or redacted by it.
    process.stderr.write(`weights: ${message}\n`);
    return 1;
  }
}

async function runImport(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const values = parseFlags(args);
  if (values.help) {
    process.stdout.write(`${HOTKEY_IMPORT_USAGE}\n`);
    return 0;
  }
  const wallet = required(values.wallet, '--wallet');
  const hotkey = required(values.hotkey, '--hotkey');
  const projectId = values.project ?? env.GCLOUD_PROJECT ?? env.GOOGLE_CLOUD_PROJECT;
  if (!projectId) {
    throw new UsageError('no project: pass --project <id> or set GOOGLE_CLOUD_PROJECT');
  }
  silenceClientDebugLogs(env);
  const client = new SecretManagerServiceClient(clientOptions(env));
  try {
    const result = await importHotkey({
      client,
      projectId,
      secretId: values.secret,
      walletPath: values['wallet-path'],
      wallet,
      hotkey,
    });
    process.stdout.write(`Stored the validator hotkey ${result.address} as ${result.version}\n`);
    return 0;
  } finally {
    await client.close();
  }
}

/**
 * With GOOGLE_SDK_NODE_LOGGING set, google-gax logs every request, and addSecretVersion's holds
 * the seed. The variable is dropped for this process, and the logger of the google-gax copy the
 * Secret Manager client uses is switched off, since a logger made before (at import) keeps the
 * setting it was made with. Said on stderr, so that nobody wonders where their debug log went.
 */
function silenceClientDebugLogs(env: NodeJS.ProcessEnv): void {
  const asked = env.GOOGLE_SDK_NODE_LOGGING ?? process.env.GOOGLE_SDK_NODE_LOGGING;
  delete process.env.GOOGLE_SDK_NODE_LOGGING;
  const gax = createRequire(require.resolve('@google-cloud/secret-manager'))('google-gax') as {
    loggingUtils?: { setBackend?: (backend: null) => void };
  };
  gax.loggingUtils?.setBackend?.(null);
  if (asked) {
    process.stderr.write(
      'weights: GOOGLE_SDK_NODE_LOGGING is ignored by hotkey import: that debug log would show the key\n',
    );
  }
}

function parseFlags(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: false })
      .values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} <name> is required`);
  return value;
}

/**
 * The client's options: none for Google's endpoint; for an emulator, its address, plaintext
 * gRPC (google-gax uses `sslCreds` as the channel credentials as given, so no token is attached)
 * and the universe domain spelled out, which keeps google-auth from looking for credentials.
 */
function clientOptions(
  env: NodeJS.ProcessEnv,
): ConstructorParameters<typeof SecretManagerServiceClient>[0] {
  const emulator = env.SECRET_MANAGER_EMULATOR_HOST;
  if (!emulator) return {};
  const { host, port } = parseHostPort(emulator);
  return {
    apiEndpoint: host,
    port,
    sslCreds: credentials.createInsecure(),
    universeDomain: 'googleapis.com',
  };
}

function parseHostPort(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value.trim());
  // google-gax joins host and port with a colon, so an IPv6 host keeps its brackets.
  const host = match?.[1] === undefined ? match?.[2] : `[${match[1]}]`;
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`SECRET_MANAGER_EMULATOR_HOST must be host:port, got "${value}"`);
  }
  return { host, port };
}
