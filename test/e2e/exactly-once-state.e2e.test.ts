// Exactly-once, end to end (issue 18), the other half of the scenarios (they run beside the
// first half, exactly-once-process.e2e.test.ts, to halve the wall time): the built functions run in the Functions emulator with the
// Firestore and Cloud Tasks emulators, and publish on a devnet reached through a fault-injecting
// proxy. Each scenario makes publish requests (curated leads, a task redelivery, a CLI run),
// injects one fault at the worst moment, and then waits for the invariant:
//
//   every extrinsic of the validator on chain (an independent scan of every block) has exactly one
//   weight_transactions document with its hash and block; no record is left unresolved; every
//   request was published by an extrinsic that landed after it.
//
// It measures the recovery time, from the fault to the moment all of that holds, asserts it under
// a generous ceiling and prints one line per scenario:
//   exactly-once: <scenario>: recovered in 23.4 s; on chain 2, recorded 2, unresolved 0, requests published 3/3
// Waits are for states (a record, a block), with ceilings; no fixed sleep decides an outcome.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { runWeights } from '../support/cli';
import { serialExporter } from '../../scripts/demo-export.mjs';
import {
  NETUID,
  SCENARIO_TIMEOUT_MS,
  judge,
  recovery,
  stallBlocks,
  startScenario,
  stopScenariosAfterEach,
  submitting,
  waitForRecord,
  writeLead,
} from './exactly-once-harness';

stopScenariosAfterEach();

describe('exactly once, end to end: pruned state, retries, a busy lease, a crash', () => {
  it(
    'a stall past the node’s state window',
    async () => {
      const WINDOW = 8;
      const s = await startScenario('stall past the state window', {
        devnet: { stateWindow: WINDOW },
      });
      stallBlocks(s, true);
      await writeLead(s, 'window-lead-1');
      await waitForRecord(s, submitting, 'submitting');
      // The record is written before the send: wait for the extrinsic to reach the node's pool.
      const sentBy = Date.now() + 15_000;
      while (s.devnet.chain.pendingExtrinsics().length === 0 && Date.now() < sentBy)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const faultAt = Date.now();
      // Every byte held both ways: the extrinsic lands, and the chain moves past the state window
      // of its block before the publisher hears anything more.
      s.proxy.stall();
      stallBlocks(s, false);
      const landedAt = s.devnet.chain.best.number;
      const until = Date.now() + 30_000;
      while (s.devnet.chain.best.number < landedAt + WINDOW + 4 && Date.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 100));
      const scan = await s.scanner.scan();
      expect(scan.extrinsics.length).toBeGreaterThan(0);
      s.proxy.resume();
      await writeLead(s, 'window-lead-2');
      judge(s, await recovery(s, faultAt));
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'a task retry while a newer request is pending',
    async () => {
      const s = await startScenario('task retry while a newer request is pending');
      // The first task's run fails (the node refuses connections), so Cloud Tasks will retry it.
      await s.proxy.refuse();
      await writeLead(s, 'retry-lead-1');
      const failed = await waitForRecord(
        s,
        (d) => d.status === 'failed' && d.retryable === true,
        'failed retryable',
      );
      const state = (await s.db.collection('validator_state').doc('publisher').get()).data() ?? {};
      const firstTask = String(state.started_task_id);
      await s.proxy.accept();
      // A newer request, held back (as the chain's rate limit holds it) so that it is still
      // pending when the first task's retry arrives.
      await s.db
        .collection('validator_state')
        .doc('publisher')
        .set({ next_allowed_at_ms: Date.now() + 20_000 }, { merge: true });
      await writeLead(s, 'retry-lead-2');
      const until = Date.now() + 30_000;
      let pending: { task_id?: string } | undefined;
      while (!pending && Date.now() < until) {
        const data = (await s.db.collection('validator_state').doc('publisher').get()).data();
        if (data?.pending?.task_id && data.pending.task_id !== firstTask) pending = data.pending;
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(pending, 'a newer pending task').toBeDefined();
      // Cloud Tasks redelivers the first task (as its retry does), while the newer one is pending.
      const faultAt = Date.now();
      const response = await fetch(
        `http://${s.project.functionsHost}/${s.projectId}/us-central1/publishWeightsTask`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'X-CloudTasks-QueueName': 'publishWeightsTask',
            'X-CloudTasks-TaskName': firstTask,
            'X-CloudTasks-TaskRetryCount': '1',
          },
          body: JSON.stringify({
            data: {
              task_id: firstTask,
              not_before_ms: 0,
              trigger: 'curated_lead',
              trigger_ref: 'retry-lead-1',
            },
          }),
        },
      );
      const after = (await s.db.collection('validator_state').doc('publisher').get()).data();
      console.log(
        `exactly-once: task retry: ${failed.id} failed (${failed.error_code}); ${firstTask} redelivered (${response.status}) while ${pending?.task_id} was pending; after it, pending ${after?.pending?.task_id ?? 'none'}, started ${after?.started_task_id}`,
      );
      judge(s, await recovery(s, faultAt));
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'a CLI publish holding the lease while a task arrives',
    async () => {
      const s = await startScenario('CLI holds the lease while a task arrives');
      // The CLI's publish waits for inclusion while blocks are stalled: it holds the lease.
      stallBlocks(s, true);
      s.requests.push({ atMs: Date.now(), label: 'cli' });
      const cli = runWeights(['publish'], {
        FIRESTORE_EMULATOR_HOST: s.project.firestoreHost,
        GCLOUD_PROJECT: s.projectId,
        SUBTENSOR_NETWORK: s.proxy.url,
        NETUID: String(NETUID),
        VALIDATOR_HOTKEY: '//Alice',
        CHAIN_INCLUSION_TIMEOUT_MS: '30000',
        UNCHANGED_REPUBLISH_MINUTES: '0',
        // The CLI wakes the request that waited for its lease through the task queue.
        CLOUD_TASKS_EMULATOR_HOST: s.project.tasksHost,
      });
      await waitForRecord(s, (d) => submitting(d) && d.trigger === 'cli', 'the CLI’s submitting');
      const faultAt = Date.now();
      await writeLead(s, 'cli-lead-1');
      const busy = await waitForRecord(
        s,
        (d) => d.error_code === 'PublisherBusy',
        'PublisherBusy',
        30_000,
      ).catch(() => undefined);
      console.log(
        `exactly-once: CLI holds the lease: the task ${busy ? `recorded ${busy.id} PublisherBusy` : 'recorded no PublisherBusy'}`,
      );
      stallBlocks(s, false);
      const run = await cli;
      console.log(`exactly-once: CLI holds the lease: weights publish exited ${run.code}`);
      judge(s, await recovery(s, faultAt));
    },
    SCENARIO_TIMEOUT_MS,
  );
  it(
    'a crash of the emulators right after an outcome',
    async () => {
      const s = await startScenario('crash of the emulators after an outcome');
      // The demo's persistence: the emulators' data exported right after each write-ahead record
      // and each outcome (scripts/demo-export.mjs, as scripts/demo-run.mjs uses it).
      const dataDir = join(s.project.dir, 'data');
      const exporter = serialExporter({ hub: s.project.hubHost, path: dataDir });
      const seen = new Map<string, string>();
      const unsubscribe = s.db.collection('weight_transactions').onSnapshot((snapshot) => {
        let written = false;
        for (const doc of snapshot.docs) {
          if (seen.get(doc.id) === doc.get('status')) continue;
          seen.set(doc.id, String(doc.get('status')));
          written = true;
        }
        if (written) exporter.request();
      });
      // An export takes a moment: with the demo's 3 s blocks the write-ahead record's export is
      // done before the extrinsic lands; here blocks wait for it, as they would there.
      stallBlocks(s, true);
      await writeLead(s, 'crash-lead-1');
      const ahead = await waitForRecord(s, submitting, 'submitting');
      const until = Date.now() + 10_000;
      while (seen.get(ahead.id) !== 'submitting' && Date.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 20));
      await exporter.idle();
      stallBlocks(s, false);
      const outcome = await waitForRecord(
        s,
        (d) => ['included', 'finalized', 'failed', 'dropped'].includes(String(d.status)),
        'with an outcome',
      );
      // Everything dies at once, right after the outcome is written (its export may not be done).
      const faultAt = Date.now();
      unsubscribe();
      await s.emulators.kill();
      const exported = existsSync(join(dataDir, 'firebase-export-metadata.json'));
      console.log(
        `exactly-once: crash: killed after ${outcome.id} ${outcome.status}; an export ${exported ? 'exists' : 'does not exist'}`,
      );
      s.emulators = await s.project.start({}, exported ? ['--import', dataDir] : []);
      await s.db.terminate().catch(() => undefined);
      await deleteApp(s.app).catch(() => undefined);
      s.app = initializeApp({ projectId: s.projectId }, `${s.projectId}-${Date.now()}`);
      s.db = getFirestore(s.app);
      await writeLead(s, 'crash-lead-2');
      judge(s, await recovery(s, faultAt));
    },
    SCENARIO_TIMEOUT_MS,
  );
});
