/**
 * The deployed functions. This file only wires triggers to handlers (triggers/handlers.ts).
 *
 * - onCuratedLeadCreated: a curated lead was written → request a publish (after the lead is
 *   stored: the buyer's response never waits for it).
 * - scheduledPublish: every hour by default → sweep queued sourced leads, request a publish.
 * - publishWeightsTask: the one place that signs and submits; one at a time
 *   (maxConcurrentDispatches 1), retried with backoff on transient failures.
 * - onSourcedLeadCreated: review a miner's sourced lead, or queue it while a publish runs.
 */
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { logger, setGlobalOptions } from 'firebase-functions/v2';
import { onDocumentCreated } from 'firebase-functions/v2/firestore';
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { onTaskDispatched } from 'firebase-functions/v2/tasks';
import { CURATED_LEADS_COLLECTION, PUBLISH_SCHEDULE, VALIDATOR_HOTKEY } from './config/params';
import { onSourcedLead } from './leads/review';
import * as handlers from './triggers/handlers';
import type { PublishTask } from './triggers/schedule-publish';
import { cloudTaskQueue } from './triggers/task-queue';

export { params } from './config/params';

const REGION = 'us-central1';
setGlobalOptions({ region: REGION });
initializeApp();

const deps = (): handlers.PipelineDeps => ({
  db: getFirestore(),
  projectId: process.env.GCLOUD_PROJECT ?? process.env.GOOGLE_CLOUD_PROJECT ?? '',
  queue: cloudTaskQueue(REGION),
  log: logger,
});

export const onCuratedLeadCreated = onDocumentCreated(
  { document: `${CURATED_LEADS_COLLECTION}/{leadId}`, retry: true },
  (event) => handlers.onCuratedLead(deps(), event.params.leadId),
);

export const scheduledPublish = onSchedule({ schedule: PUBLISH_SCHEDULE }, (event) =>
  handlers.onSchedule(deps(), event.scheduleTime),
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
    await handlers.onPublishTask(deps(), request.data, VALIDATOR_HOTKEY.value());
  },
);

export const onSourcedLeadCreated = onDocumentCreated(
  { document: 'sourced_leads/{leadId}', retry: true },
  (event) =>
    onSourcedLead({
      db: getFirestore(),
      leadId: event.params.leadId,
      log: logger,
      nowMs: Date.now(),
    }).then(() => undefined),
);
