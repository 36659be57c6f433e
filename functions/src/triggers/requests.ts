/**
 * The light triggers: a curated lead written, the schedule. They record leads and request
 * publishes; they never sign, so nothing here loads @polkadot/api, the timelock module or Secret
 * Manager (a Cloud Functions instance loads index.js whole, and every module it imports at the
 * top costs every cold start; see test/unit/light-triggers.test.ts). What they need of heavier
 * modules (hotkey validation, the sourced-lead review) is imported when the first event needs it.
 */
import type { Firestore } from 'firebase-admin/firestore';
import * as healthLogs from '../health/logs';
import type { Logger } from '../logs/logger';
import * as logs from '../logs/pipeline';
import * as rollupLogs from '../logs/rollups';
import { observeLeadWrites, type LeadWrite } from '../rollups/observe';
import { RollupStore } from '../rollups/store';
import { requestPublish, type TaskQueue } from './schedule-publish';

export interface PipelineDeps {
  db: Firestore;
  projectId: string;
  queue: TaskQueue;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  nowMs?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The weight-health check after the schedule's request (absent: not run). */
  health?: ScheduledHealth;
}

export interface ScheduledHealth {
  /** The HEALTH_WEBHOOK_URL secret's value, read when the check runs. */
  webhookUrl: () => string;
  /** One structured log entry (firebase-functions' logger.write). */
  write: (entry: { severity: 'NOTICE' | 'WARNING' | 'ALERT'; message: string }) => void;
}

export async function onCuratedLead(deps: PipelineDeps, leadId: string): Promise<void> {
  logs.triggered(deps.log, 'curated_lead', leadId);
  await requestPublish(deps.db, deps.queue, deps.log, {
    kind: 'curated_lead',
    ref: leadId,
    nowMs: now(deps),
  });
}

/**
 * A curated lead was created: record what it counts for (rollups), then request a publish. The
 * record comes first, so the publish that follows counts the lead.
 */
export async function onCuratedLeadCreated(
  deps: PipelineDeps,
  collection: string,
  write: LeadWrite | undefined,
): Promise<void> {
  if (!write) return;
  await onCuratedLeadChanged(deps, collection, write);
  await onCuratedLead(deps, write.id);
}

/**
 * A curated lead was changed or deleted: record what it now counts for. No publish is requested:
 * the next one (a new lead, the schedule) counts the change.
 */
export async function onCuratedLeadChanged(
  deps: PipelineDeps,
  collection: string,
  write: LeadWrite | undefined,
): Promise<void> {
  if (!write) return;
  const { canonicalHotkey } = await import('../leads/hotkey.js');
  const store = new RollupStore(deps.db, collection);
  const { applied } = await observeLeadWrites(store, [write], canonicalHotkey);
  rollupLogs.leadObserved(deps.log, write.id, applied > 0);
}

export async function onSchedule(deps: PipelineDeps, scheduleTime: string): Promise<void> {
  logs.triggered(deps.log, 'schedule', scheduleTime);
  // The sweep that guarantees no sourced lead stays queued, even after a publisher crash.
  const { reviewQueuedLeads } = await import('../leads/review.js');
  await reviewQueuedLeads({ db: deps.db, log: deps.log, nowMs: now(deps) });
  await requestPublish(deps.db, deps.queue, deps.log, {
    kind: 'schedule',
    ref: scheduleTime,
    nowMs: now(deps),
  });
  // After the request, so a slow chain never delays it; the chain modules load only here.
  if (deps.health) await scheduledHealthCheck(deps, deps.health);
}

async function scheduledHealthCheck(deps: PipelineDeps, health: ScheduledHealth): Promise<void> {
  try {
    const { runHealthCheck } = await import('../health/run.js');
    await runHealthCheck({
      db: deps.db,
      log: deps.log,
      env: deps.env,
      write: health.write,
      webhookUrl: health.webhookUrl(),
      nowMs: deps.nowMs,
      sleep: deps.sleep,
    });
  } catch (error) {
    healthLogs.scheduleHealthFailed(deps.log, error instanceof Error ? error.name : 'error');
  }
}

const now = (deps: PipelineDeps) => (deps.nowMs ?? Date.now)();
