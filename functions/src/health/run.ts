/**
 * One health check: evaluate (chain and audit trail), move `validator_state/health` on in a
 * transaction, write one structured log entry if the status changed, and tell the webhook if it
 * has something to say. Run by the hourly schedule after it has requested its publish, and by
 * `weights health` (evaluation only). It never throws: a chain that cannot be read is a finding,
 * and anything else that fails is logged, so neither the schedule nor publishing depends on it.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { publicEndpoint, scrubEndpoints } from '../chain/endpoints';
import { withChain } from '../chain/connection';
import { ChainFailure } from '../chain/errors';
import { publishConfigFromEnv } from '../config/publishing';
import type { Logger } from '../logs/logger';
import { STATE_COLLECTION } from '../state/publisher';
import { readChainHealth } from './chain';
import { healthConfigFromEnv, type HealthConfig } from './config';
import { evaluateHealth, type ChainHealth, type HealthEvaluation } from './evaluate';
import {
  HEALTH_DOC,
  HISTORY_LIMIT,
  transition,
  type Delivery,
  type HealthDoc,
  type Transition,
} from './incidents';
import * as logs from './logs';
import { readTrailHealth } from './trail';
import { deliver, webhookBody } from './webhook';

/** A structured log entry (firebase-functions' `logger.write` in the functions). */
export interface StructuredEntry {
  severity: 'NOTICE' | 'WARNING' | 'ALERT';
  message: string;
  [key: string]: unknown;
}

export interface EvaluateOptions {
  db: Firestore;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** The validator's SS58 hotkey; default: the newest record of the audit trail that names one. */
  validator?: string;
  nowMs?: () => number;
}

/** Reads the trail and the chain and judges. The chain failing is a finding, not a throw. */
export async function evaluateNow(options: EvaluateOptions): Promise<HealthEvaluation> {
  const env = options.env ?? process.env;
  const publish = publishConfigFromEnv(env);
  const config = healthConfigFromEnv(env);
  const trail = await readTrailHealth(options.db, publish.netuid);
  const validator = options.validator ?? trail.validator;
  let chain: ChainHealth | { error: { code: string; message: string } } | undefined;
  if (validator !== undefined) {
    try {
      chain = await withChain(
        { url: publish.endpoint.url, connectTimeoutMs: publish.connectTimeoutMs, log: options.log },
        (api) => readChainHealth(api, publish.netuid, validator, publish.readTimeoutMs),
      );
    } catch (error) {
      const failure = error instanceof ChainFailure ? error : undefined;
      const message = error instanceof Error ? error.message : String(error);
      chain = { error: { code: failure?.code ?? 'ChainError', message: scrubEndpoints(message) } };
    }
  }
  return evaluateHealth(
    {
      netuid: publish.netuid,
      endpoint: publicEndpoint(publish.endpoint),
      nowMs: (options.nowMs ?? Date.now)(),
      trail,
      chain,
      validator,
    },
    config,
  );
}

export interface HealthRunDeps extends EvaluateOptions {
  write: (entry: StructuredEntry) => void;
  /** The webhook URL (the HEALTH_WEBHOOK_URL secret's value); empty or `none`: no webhook. */
  webhookUrl?: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface HealthRun {
  evaluation: HealthEvaluation;
  transition: Transition;
  delivery?: Delivery;
}

export function healthRef(db: Firestore) {
  return db.collection(STATE_COLLECTION).doc(HEALTH_DOC);
}

/** Evaluates, records, logs a change, notifies. Resolves to undefined (logged) if it failed. */
export async function runHealthCheck(deps: HealthRunDeps): Promise<HealthRun | undefined> {
  try {
    return await check(deps);
  } catch (error) {
    logs.checkFailed(
      deps.log,
      scrubEndpoints(error instanceof Error ? error.message : String(error)),
    );
    return undefined;
  }
}

async function check(deps: HealthRunDeps): Promise<HealthRun> {
  const config = healthConfigFromEnv(deps.env ?? process.env);
  const evaluation = await evaluateNow(deps);
  const ref = healthRef(deps.db);
  const moved = await deps.db.runTransaction(async (tx) => {
    const previous = (await tx.get(ref)).data() as HealthDoc | undefined;
    const next = transition(previous, evaluation, config);
    tx.set(ref, plain(next.doc));
    return next;
  });
  const recorded = moved.doc.evaluation;
  logs.evaluated(
    deps.log,
    recorded.status,
    recorded.reasons.map((r) => r.code),
  );
  if (moved.changed) deps.write(changeEntry(moved, recorded));
  const delivery = moved.message ? await notify(deps, config, moved, recorded) : undefined;
  return { evaluation: recorded, transition: moved, delivery };
}

/** The one log entry of a status change: ALERT for critical, WARNING for warning, NOTICE for ok. */
export function changeEntry(moved: Transition, evaluation: HealthEvaluation): StructuredEntry {
  const { from, to } = moved.changed ?? { from: 'ok', to: evaluation.status };
  const codes = evaluation.reasons.filter((r) => r.severity !== 'info').map((r) => r.code);
  const incident = moved.message?.incident;
  return {
    severity: to === 'critical' ? 'ALERT' : to === 'warning' ? 'WARNING' : 'NOTICE',
    message: `Weight health ${from} → ${to}${codes.length ? `: ${codes.join(', ')}` : ''}`,
    event: 'weights_health_changed',
    health_status: to,
    previous_status: from,
    incident_id: incident?.id ?? null,
    reasons: evaluation.reasons.map(({ code, severity, message }) => ({ code, severity, message })),
    netuid: evaluation.netuid,
    validator_hotkey: evaluation.validator_hotkey ?? null,
    blocks_since_update: evaluation.numbers.blocks_since_update ?? null,
    activity_cutoff: evaluation.numbers.activity_cutoff ?? null,
    'logging.googleapis.com/labels': {
      weights_event: 'health_changed',
      weights_health: to,
      weights_previous_health: from,
      weights_netuid: String(evaluation.netuid),
    },
  };
}

async function notify(
  deps: HealthRunDeps,
  config: HealthConfig,
  moved: Transition,
  evaluation: HealthEvaluation,
): Promise<Delivery | undefined> {
  const message = moved.message;
  if (!message || config.webhookFormat === 'off') return undefined;
  const url = deps.webhookUrl?.trim() ?? '';
  if (url === '' || url === 'none') {
    logs.webhookUnset(deps.log, message.kind);
    return undefined;
  }
  let delivery: Delivery;
  if (!/^https?:\/\/[^\s]+$/i.test(url)) {
    delivery = {
      incident_id: message.incident.id,
      kind: message.kind,
      format: config.webhookFormat,
      outcome: 'failed',
      attempts: [{ at: evaluation.evaluated_at, result: 'invalid_url', waited_ms: 0 }],
      at: evaluation.evaluated_at,
    };
  } else {
    const format = config.webhookFormat;
    delivery = await deliver(
      {
        url,
        format,
        attempts: config.webhookAttempts,
        retryBaseMs: config.webhookRetryBaseMs,
        fetch: deps.fetch,
        sleep: deps.sleep,
        nowMs: deps.nowMs,
      },
      message.kind,
      message.incident,
      webhookBody(format, message.kind, message.incident, evaluation),
    );
  }
  const results = delivery.attempts.map((a) => a.result);
  if (delivery.outcome === 'delivered')
    logs.webhookDelivered(deps.log, message.kind, message.incident.id, results.length);
  else logs.webhookFailed(deps.log, message.kind, message.incident.id, results);
  const ref = healthRef(deps.db);
  await deps.db.runTransaction(async (tx) => {
    const doc = (await tx.get(ref)).data() as HealthDoc | undefined;
    const deliveries = [delivery, ...(doc?.deliveries ?? [])].slice(0, HISTORY_LIMIT);
    tx.set(ref, { deliveries: plain(deliveries) }, { merge: true });
  });
  return delivery;
}

/** Firestore refuses undefined anywhere: the JSON form drops it (every value here is JSON). */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
