/** The `weights` command line: the same domain code the functions run, from a terminal. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { DEMO_PROJECT_ID, resolveProjectId } from '../config/project';
import { ConfigError, scoringConfigFromEnv, validateScoringConfig } from '../config/scoring';
import { parseIsoMicros } from '../leads/created-at';
import { plainLogger, quietLogger } from '../logs/logger';
import { calculateWeights } from '../scoring/calculate-weights';

export const USAGE = `Usage: weights <command> [options]

Commands:
  score        Compute miner shares from the curated leads in Firestore

Options for score:
  --json               Print only the result as JSON
  --window-days <N>    Count leads created in the last N days (default 30, or SCORING_WINDOW_DAYS)
  --now <ISO time>     End the window at this instant instead of the current time
  --project <id>       Google Cloud project (default GOOGLE_CLOUD_PROJECT; with the emulator,
                       ${DEMO_PROJECT_ID})
  -h, --help           Show this help

Firestore: the emulator when FIRESTORE_EMULATOR_HOST is set, otherwise the project's database
through Application Default Credentials.`;

class UsageError extends Error {}

const SCORE_OPTIONS = {
  json: { type: 'boolean' },
  'window-days': { type: 'string' },
  now: { type: 'string' },
  project: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

/** Runs the command line; resolves to the process exit code. */
export async function run(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    }
    if (command === 'score') return await score(rest, env);
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`weights: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`weights: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`weights: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function score(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseFlags(args, SCORE_OPTIONS);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = scoringConfigFromEnv(env);
  if (values['window-days'] !== undefined) {
    config.windowDays = parseNumberFlag('--window-days', values['window-days']);
  }
  validateScoringConfig(config);
  const now = values.now === undefined ? new Date() : parseInstantFlag('--now', values.now);
  const projectId = resolveProjectId(values.project, env);
  // Against the emulator no credentials are needed: do not probe the cloud metadata server.
  if (env.FIRESTORE_EMULATOR_HOST) process.env.METADATA_SERVER_DETECTION ??= 'none';

  const db = getFirestore(initializeApp({ projectId }, `weights-cli-${Date.now()}`));
  try {
    const result = await calculateWeights({
      db,
      projectId,
      config,
      log: values.json ? quietLogger : plainLogger,
      now,
    });
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } finally {
    await db.terminate();
  }
}

function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: T,
) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function parseNumberFlag(flag: string, raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value))
    throw new UsageError(`${flag} needs a number, got "${raw}"`);
  return value;
}

function parseInstantFlag(flag: string, raw: string): Date {
  const micros = parseIsoMicros(raw);
  if (micros === undefined) throw new UsageError(`${flag} needs an ISO-8601 time, got "${raw}"`);
  return new Date(micros / 1000);
}
