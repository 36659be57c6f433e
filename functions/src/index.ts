/**
 * The deployed functions. This file only wires triggers to handlers (triggers/requests.ts for the
 * light ones, triggers/handlers.ts for the publisher).
 *
 * - onCuratedLeadWritten: a curated lead was created, changed or deleted → record what it counts
 *   for (the lead rollups), and for a new lead request a publish (after the lead is stored: the
 *   buyer's response never waits for it).
 * - scheduledPublish: every hour by default → sweep queued sourced leads, request a publish.
 * - publishWeightsTask: the one place that signs and submits; one at a time
 *   (maxConcurrentDispatches 1), retried with backoff on transient failures.
 * - onSourcedLeadCreated: review a miner's sourced lead, or queue it while a publish runs.
 *
 * Cloud Functions loads this whole file for every function, so it imports at the top only what
 * the light triggers need: the publisher's modules (@polkadot/api, the timelock wasm, Secret
 * Manager) are imported inside publishWeightsTask, and the sourced-lead review inside its trigger.
 */
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { logger, setGlobalOptions } from 'firebase-functions/v2';
import { onDocumentCreated, onDocumentWritten } from 'firebase-functions/v2/firestore';
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { onTaskDispatched } from 'firebase-functions/v2/tasks';
import { CURATED_LEADS_COLLECTION, PUBLISH_SCHEDULE, VALIDATOR_HOTKEY } from './config/params';
import { leadWrite } from './rollups/observe';
import * as requests from './triggers/requests';
import type { PublishTask } from './triggers/schedule-publish';
import { cloudTaskQueue } from './triggers/task-queue';

export { params } from './config/params';

const REGION = 'us-central1';
setGlobalOptions({ region: REGION });
initializeApp();

const deps = (): requests.PipelineDeps => ({
  db: getFirestore(),
  projectId: process.env.GCLOUD_PROJECT ?? process.env.GOOGLE_CLOUD_PROJECT ?? '',
  queue: cloudTaskQueue(REGION),
  log: logger,
});

export const onCuratedLeadWritten = onDocumentWritten(
  { document: `${CURATED_LEADS_COLLECTION}/{leadId}`, retry: true },
  (event) => {
    const { before, after } = event.data ?? {};
    return requests.onCuratedLeadWrite(
      deps(),
      CURATED_LEADS_COLLECTION,
      leadWrite(event.params.leadId, before, after),
      !before?.exists && Boolean(after?.exists),
    );
  },
);

export const scheduledPublish = onSchedule({ schedule: PUBLISH_SCHEDULE }, (event) =>
  requests.onSchedule(deps(), event.scheduleTime),
);

export const publishWeightsTask = onTaskDispatched<PublishTask>(
  {
    secrets: [VALIDATOR_HOTKEY],
    retryConfig: { maxAttempts: 5, minBackoffSeconds: 30, maxBackoffSeconds: 600 },
    rateLimits: { maxConcurrentDispatches: 1 },
    timeoutSeconds: 540,
    memory: '512MiB',
  },
  async (request) => {
    const handlers = await import('./triggers/handlers.js');
    await handlers.onPublishTask(deps(), request.data, VALIDATOR_HOTKEY.value());
  },
);

export const onSourcedLeadCreated = onDocumentCreated(
  { document: 'sourced_leads/{leadId}', retry: true },
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
