/**
 * The deployed functions. This file only wires triggers to handlers (triggers/requests.ts for the
 * light ones, triggers/handlers.ts for the publisher).
 *
 * - onCuratedLeadCreated: a curated lead was created → record what it counts for (the lead
 *   rollups), then request a publish (after the lead is stored: the buyer never waits for it).
 * - onCuratedLeadUpdated, onCuratedLeadDeleted: a curated lead was changed or deleted → record
 *   what it now counts for; no publish (the next one counts the change).
 * - scheduledPublish: every hour by default → sweep queued sourced leads, request a publish,
 *   then check the weights' health (validator_state/health, log entry, optional webhook).
 * - publishWeightsTask: the one place that signs and submits; one at a time
 *   (maxConcurrentDispatches 1), retried with backoff on transient failures.
 * - onSourcedLeadCreated: review a miner's sourced lead, or queue it while a publish runs.
 *
 * Each event is handled by exactly one function. publishWeightsTask runs as its own service
 * account, the only one with the hotkey secret; every other function runs as the triggers' one.
 *
 * Cloud Functions loads this whole file for every function, so it imports at the top only what
 * the light triggers need: the publisher's modules (@polkadot/api, the timelock wasm, Secret
 * Manager) are imported inside publishWeightsTask, and the sourced-lead review inside its trigger.
 */
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { logger, setGlobalOptions } from 'firebase-functions/v2';
import {
  onDocumentCreated,
  onDocumentDeleted,
  onDocumentUpdated,
} from 'firebase-functions/v2/firestore';
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { onTaskDispatched } from 'firebase-functions/v2/tasks';
import {
  CURATED_LEADS_COLLECTION,
  HEALTH_WEBHOOK_URL,
  PUBLISHER_SERVICE_ACCOUNT,
  PUBLISH_SCHEDULE,
  TRIGGERS_SERVICE_ACCOUNT,
  VALIDATOR_HOTKEY,
} from './config/params';
import { leadWrite } from './rollups/observe';
import * as requests from './triggers/requests';
import type { PublishTask } from './triggers/schedule-publish';
import { PUBLISH_TIMEOUT_SECONDS } from './triggers/deadline';
import { cloudTaskQueue, REGION } from './triggers/task-queue';

export { params } from './config/params';

setGlobalOptions({ region: REGION });
// A task carries an OIDC token of the enqueuing account, which firebase-admin asks the metadata
// server for. The Functions emulator has none: name the account it uses instead, so that no
// request leaves for 169.254.169.254 ("External network resource requested!").
initializeApp(
  process.env.FUNCTIONS_EMULATOR === 'true'
    ? { serviceAccountId: 'emulated-service-acct@email.com' }
    : undefined,
);

const deps = (): requests.PipelineDeps => ({
  db: getFirestore(),
  projectId: process.env.GCLOUD_PROJECT ?? process.env.GOOGLE_CLOUD_PROJECT ?? '',
  queue: cloudTaskQueue(REGION),
  log: logger,
});

const curatedLead = {
  document: `${CURATED_LEADS_COLLECTION}/{leadId}`,
  retry: true,
  serviceAccount: TRIGGERS_SERVICE_ACCOUNT,
};

export const onCuratedLeadCreated = onDocumentCreated(curatedLead, (event) =>
  requests.onCuratedLeadCreated(
    deps(),
    CURATED_LEADS_COLLECTION,
    leadWrite(event.params.leadId, undefined, event.data),
  ),
);

export const onCuratedLeadUpdated = onDocumentUpdated(curatedLead, (event) =>
  requests.onCuratedLeadChanged(
    deps(),
    CURATED_LEADS_COLLECTION,
    leadWrite(event.params.leadId, event.data?.before, event.data?.after),
  ),
);

export const onCuratedLeadDeleted = onDocumentDeleted(curatedLead, (event) =>
  requests.onCuratedLeadChanged(
    deps(),
    CURATED_LEADS_COLLECTION,
    leadWrite(event.params.leadId, event.data, undefined),
  ),
);

// Also the weight-health check (functions/src/health), the one sender of its webhook: the
// webhook's secret is bound here only; the check loads the chain modules when it runs.
export const scheduledPublish = onSchedule(
  {
    schedule: PUBLISH_SCHEDULE,
    serviceAccount: TRIGGERS_SERVICE_ACCOUNT,
    secrets: [HEALTH_WEBHOOK_URL],
    timeoutSeconds: 300,
    memory: '512MiB',
  },
  (event) =>
    requests.onSchedule(
      {
        ...deps(),
        health: {
          webhookUrl: () => HEALTH_WEBHOOK_URL.value(),
          write: (entry) => logger.write(entry),
        },
      },
      event.scheduleTime,
    ),
);

export const publishWeightsTask = onTaskDispatched<PublishTask>(
  {
    secrets: [VALIDATOR_HOTKEY],
    serviceAccount: PUBLISHER_SERVICE_ACCOUNT,
    retryConfig: { maxAttempts: 5, minBackoffSeconds: 30, maxBackoffSeconds: 600 },
    rateLimits: { maxConcurrentDispatches: 1 },
    timeoutSeconds: PUBLISH_TIMEOUT_SECONDS,
    memory: '512MiB',
  },
  async (request) => {
    const handlers = await import('./triggers/handlers.js');
    await handlers.onPublishTask(deps(), request.data, VALIDATOR_HOTKEY.value());
  },
);

export const onSourcedLeadCreated = onDocumentCreated(
  { document: 'sourced_leads/{leadId}', retry: true, serviceAccount: TRIGGERS_SERVICE_ACCOUNT },
  async (event) => {
    const { onSourcedLead } = await import('./leads/review.js');
    await onSourcedLead({
      db: getFirestore(),
      leadId: event.params.leadId,
      log: logger,
      nowMs: Date.now(),
    });
  },
);
