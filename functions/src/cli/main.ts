/** The `weights` command line: the same domain code the functions run, from a terminal. */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Writable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { initializeApp, type App } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import { hotkeyFromSecret, HotkeySecretError } from '../chain/hotkey';
import { escapeControl } from '../logs/escape';
import { resolveEndpoint } from '../chain/endpoints';
import { DEMO_PROJECT_ID, resolveProjectId } from '../config/project';
import { publishConfigFromEnv } from '../config/publishing';
import {
  ConfigError,
  scoringConfigFromEnv,
  validateScoringConfig,
  type ScoringConfig,
} from '../config/scoring';
import { parseIsoMicros } from '../leads/created-at';
import { windowEndingAt } from '../leads/window';
import { plainLogger, quietLogger, type Logger } from '../logs/logger';
import { historyLines, recentTransactions } from '../publishing/history';
import * as logs from '../logs/pipeline';
import type { FollowUp } from '../publishing/reveal';
import type { PublishResult } from '../publishing/result';
import { dryRunPublish, runPublishCycle } from '../publishing/run';
import { healthLines } from '../health/format';
import type { HealthDoc } from '../health/incidents';
import { evaluateNow, healthRef } from '../health/run';
import { hotkeyImport } from './hotkey-import';
import { checkSummary, printCheck, rebuildWithProgress } from './rollups';
import { users } from './users';
import { wakeWaiter } from '../triggers/schedule-publish';
import { cloudTaskQueue, REGION } from '../triggers/task-queue';
import { calculateWeights, type ScoringResult } from '../scoring/calculate-weights';
import { checkRollups } from '../scoring/check';

export const USAGE = `Usage: weights <command> [options]

Commands:
  score        Compute miner shares from the curated leads in Firestore
  publish      Score, then set the weights on chain with the validator hotkey: the same
               audited cycle as the functions (lease, reveal of open commits, one
               weight_transactions document, trigger "cli")
  history      List recent weight transactions (the audit trail)
  health       Judge the weights' health from the chain and the audit trail: ok, warning
               or critical, with the reasons and numbers (exit code 1 unless ok)
  hotkey import  Store a Bittensor wallet hotkey in Secret Manager (see weights hotkey import --help)
  users grant-auditor <email>  Let a user read the weight history (see weights users --help)
  rollups rebuild  Rebuild the lead rollups from every lead (once after the first deploy;
               resumable: run it again after an interruption)
  rollups check    Count the window from the rollups and by reading every lead, and print
               any miner or count that differs (exit code 1)

Options for score and publish:
  --json               Print only the result as JSON
  --window-days <N>    Count leads created in the last N days (default 30, or SCORING_WINDOW_DAYS)
  --now <ISO time>     End the window at this instant instead of the current time
  --project <id>       Google Cloud project (default GOOGLE_CLOUD_PROJECT; with the emulator,
                       ${DEMO_PROJECT_ID})
  -h, --help           Show this help

Options for score:
  --full-scan          Read every lead of the window instead of the lead rollups

Options for rollups rebuild:
  --restart            Start a new rebuild instead of resuming an interrupted one

Options for publish:
  --dry-run            Score and convert, show the uids and u16 weights that would be sent;
                       sends nothing and records nothing
  --endpoint <name>    finney, test, local or a ws:// / wss:// URL (default SUBTENSOR_NETWORK, finney)
  --netuid <N>         Subnet (default NETUID, 401)
  --allow-dev-key      Sign with a development URI (//Alice) although the chain is not local
  The validator hotkey secret is read from VALIDATOR_HOTKEY (a mnemonic or a 0x seed, either
  with a derivation path, or wallet hotkey file JSON). Exit code 1 when the chain refused or could
  not be reached.

Options for history:
  --limit <N>          How many, newest first (default 20)
  --failed             Only attempts that did not land
  --json               Print the documents as JSON
  --project <id>       As above

Options for health:
  --json               Print the evaluation (and what validator_state/health records) as JSON
  --validator <ss58>   The validator hotkey (default: the newest record of the audit trail)
  --endpoint <name>    As for publish (default SUBTENSOR_NETWORK)
  --netuid <N>         As for publish (default NETUID)
  --project <id>       As above
  It only reads: no record, no log entry, no webhook (the hourly run does those).

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

const SCORE_ONLY_OPTIONS = {
  ...SCORE_OPTIONS,
  'full-scan': { type: 'boolean' },
} satisfies ParseArgsConfig['options'];

const REBUILD_OPTIONS = {
  restart: { type: 'boolean' },
  project: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

const PUBLISH_OPTIONS = {
  ...SCORE_OPTIONS,
  'dry-run': { type: 'boolean' },
  endpoint: { type: 'string' },
  netuid: { type: 'string' },
  'allow-dev-key': { type: 'boolean' },
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
    if (command === 'publish') return await publish(rest, env);
    if (command === 'history') return await history(rest, env);
    if (command === 'health') return await health(rest, env);
    if (command === 'hotkey' && rest[0] === 'import') return await hotkeyImport(rest.slice(1), env);
    if (command === 'users') return await users(rest, env);
    if (command === 'rollups' && rest[0] === 'rebuild') return await rebuild(rest.slice(1), env);
    if (command === 'rollups' && rest[0] === 'check') return await check(rest.slice(1), env);
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    // Messages repeat flag values and library text: escaped, so that each is one line.
    const message = escapeControl(error instanceof Error ? error.message : String(error));
    if (error instanceof UsageError) {
      process.stderr.write(`weights: ${message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof HotkeySecretError) {
      process.stderr.write(`weights: ${message}\n`);
      return 2;
    }
    process.stderr.write(`weights: ${message}\n`);
    return 1;
  }
}

type ScoreFlags = {
  json?: boolean;
  'window-days'?: string;
  now?: string;
  project?: string;
  'full-scan'?: boolean;
};

async function score(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseFlags(args, SCORE_ONLY_OPTIONS);
  if (values.help) return help();
  const result = await scoreLeads(values, env, values.json ? quietLogger : plainLogger);
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return 0;
}

async function rebuild(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseFlags(args, REBUILD_OPTIONS);
  if (values.help) return help();
  const config = scoringConfigFromEnv(env);
  await withFirestore(values.project, env, (db) =>
    rebuildWithProgress(db, config.curatedLeadsCollection, values.restart ?? false, plainLogger),
  );
  return 0;
}

async function check(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseFlags(args, SCORE_OPTIONS);
  if (values.help) return help();
  const config = scoringConfig(values, env);
  const now = values.now === undefined ? new Date() : parseInstantFlag('--now', values.now);
  const window = windowEndingAt(now, config.windowDays);
  const outcome = await withFirestore(values.project, env, (db) =>
    checkRollups(db, config.curatedLeadsCollection, window, quietLogger),
  );
  if (values.json) process.stdout.write(`${JSON.stringify(checkSummary(outcome), null, 2)}\n`);
  else printCheck(outcome, plainLogger);
  return outcome.differences.length > 0 ? 1 : 0;
}

async function publish(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseFlags(args, PUBLISH_OPTIONS);
  if (values.help) return help();
  const config = publishConfigFromEnv(env);
  if (values.endpoint !== undefined) {
    try {
      config.endpoint = resolveEndpoint(values.endpoint);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (values.netuid !== undefined) {
    const netuid = parseNumberFlag('--netuid', values.netuid);
    if (!Number.isInteger(netuid) || netuid < 1 || netuid > 65535)
      throw new UsageError(`--netuid must be 1..65535`);
    config.netuid = netuid;
  }
  const secret = env.VALIDATOR_HOTKEY;
  if (!secret) throw new UsageError('set VALIDATOR_HOTKEY to the validator hotkey secret');
  const signer = await hotkeyFromSecret(secret, {
    endpoint: config.endpoint,
    allowDevelopmentKeys: values['allow-dev-key'],
  });
  const log = values.json ? quietLogger : plainLogger;
  const scoring = scoringConfig(values, env);
  const scoreAt = values.now === undefined ? undefined : parseInstantFlag('--now', values.now);
  const json = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  const failed = (result: PublishResult) => (result.status === 'failed' ? 1 : 0);
  return withFirestore(values.project, env, async (db, projectId, app) => {
    const context = { db, projectId, signer, scoring, publishing: config, log, scoreAt };
    if (values['dry-run']) {
      const result = await dryRunPublish(context);
      if (values.json) json({ ...result, recorded: false });
      return failed(result);
    }
    // The same audited cycle as publishWeightsTask: lease, follow-up of commits, record.
    const { result, record, followUps } = await runPublishCycle({
      ...context,
      trigger: { kind: 'cli', ref: `${env.USER ?? env.LOGNAME ?? 'operator'}@${hostname()}` },
      holder: `cli/${hostname()}/${process.pid}/${randomUUID()}`,
      // A structured entry for a log agent; a person at a terminal reads the summary line instead.
      auditTransport: process.stderr.isTTY ? devNull() : process.stderr,
    });
    logs.recorded(log, record.id, record.iteration_count, result.status);
    await wakeWaitingRequest(db, app, log);
    if (values.json) json({ ...result, record, follow_ups: followUps.map(followUpSummary) });
    return failed(result);
  });
}

/**
 * A function's request that met this run's lease runs now, through the project's task queue; if
 * the queue cannot be reached from here, it runs at its own time (when the lease would have ended).
 */
async function wakeWaitingRequest(db: Firestore, app: App, log: Logger): Promise<void> {
  try {
    await wakeWaiter(db, cloudTaskQueue(REGION, app), log, Date.now());
  } catch (error) {
    log.warn(
      `A request that waited for this run could not be started now (${error instanceof Error ? error.message : String(error)}): it runs at its scheduled time`,
    );
  }
}

function followUpSummary({ commit, outcome, result }: FollowUp) {
  return {
    commit_id: commit.id,
    kind: commit.kind,
    outcome,
    status: result.status,
    error_code: result.error_code,
    reason: result.reason,
    block_number: result.block_number,
    extrinsic_hash: result.extrinsic_hash,
  };
}

function devNull(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

const HISTORY_OPTIONS = {
  limit: { type: 'string', default: '20' },
  failed: { type: 'boolean' },
  json: { type: 'boolean' },
  project: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

async function history(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseFlags(args, HISTORY_OPTIONS);
  if (values.help) return help();
  const limit = parseNumberFlag('--limit', values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new UsageError('--limit must be 1..1000');
  const transactions = await withFirestore(values.project, env, (db) =>
    recentTransactions(db, { limit, failedOnly: values.failed }),
  );
  if (values.json) process.stdout.write(`${JSON.stringify(transactions, null, 2)}\n`);
  else if (transactions.length === 0) process.stdout.write('No weight transactions recorded yet\n');
  else for (const line of historyLines(transactions)) process.stdout.write(`${line}\n`);
  return 0;
}

const HEALTH_OPTIONS = {
  json: { type: 'boolean' },
  validator: { type: 'string' },
  endpoint: { type: 'string' },
  netuid: { type: 'string' },
  project: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

async function health(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseFlags(args, HEALTH_OPTIONS);
  if (values.help) return help();
  const runEnv = { ...env };
  if (values.endpoint !== undefined) {
    try {
      resolveEndpoint(values.endpoint);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    runEnv.SUBTENSOR_NETWORK = values.endpoint;
  }
  if (values.netuid !== undefined) {
    const netuid = parseNumberFlag('--netuid', values.netuid);
    if (!Number.isInteger(netuid) || netuid < 1 || netuid > 65535)
      throw new UsageError(`--netuid must be 1..65535`);
    runEnv.NETUID = String(netuid);
  }
  if (values.validator !== undefined && !/^[1-9A-HJ-NP-Za-km-z]{46,48}$/.test(values.validator))
    throw new UsageError('--validator needs an SS58 address');
  return withFirestore(values.project, runEnv, async (db) => {
    const evaluation = await evaluateNow({
      db,
      log: quietLogger,
      env: runEnv,
      validator: values.validator,
    });
    const recorded = (await healthRef(db).get()).data() as HealthDoc | undefined;
    if (values.json) {
      const summary = recorded && {
        status: recorded.status,
        since: recorded.since,
        incident: recorded.incident,
        last_delivery: recorded.deliveries[0] ?? null,
        closed_incidents: recorded.incidents.length,
      };
      process.stdout.write(
        `${JSON.stringify({ ...evaluation, recorded: summary ?? null }, null, 2)}\n`,
      );
    } else
      for (const line of healthLines(evaluation, recorded))
        process.stdout.write(`${escapeControl(line)}\n`);
    return evaluation.status === 'ok' ? 0 : 1;
  });
}

/** Runs `work` with a Firestore client for the project, closed afterwards. */
async function withFirestore<T>(
  project: string | undefined,
  env: NodeJS.ProcessEnv,
  work: (db: Firestore, projectId: string, app: App) => Promise<T>,
): Promise<T> {
  const projectId = resolveProjectId(project, env);
  // Against the emulator no credentials are needed: do not probe the cloud metadata server.
  if (env.FIRESTORE_EMULATOR_HOST) process.env.METADATA_SERVER_DETECTION ??= 'none';
  const app = initializeApp({ projectId }, `weights-cli-${Date.now()}`);
  const db = getFirestore(app);
  try {
    return await work(db, projectId, app);
  } finally {
    await db.terminate();
  }
}

/** The scoring settings, with the command line's window. */
function scoringConfig(values: ScoreFlags, env: NodeJS.ProcessEnv): ScoringConfig {
  const config = scoringConfigFromEnv(env);
  if (values['window-days'] !== undefined) {
    config.windowDays = parseNumberFlag('--window-days', values['window-days']);
  }
  validateScoringConfig(config);
  return config;
}

/** Reads the leads and scores them, as `weights score` does. */
async function scoreLeads(
  values: ScoreFlags,
  env: NodeJS.ProcessEnv,
  log: Logger,
): Promise<ScoringResult> {
  const config = scoringConfig(values, env);
  const now = values.now === undefined ? new Date() : parseInstantFlag('--now', values.now);
  const method = values['full-scan'] ? 'full_scan' : undefined;
  return withFirestore(values.project, env, (db, projectId) =>
    calculateWeights({ db, projectId, config, log, now, method }),
  );
}

function help(): number {
  process.stdout.write(`${USAGE}\n`);
  return 0;
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
