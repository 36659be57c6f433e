// Exactly-once, end to end (issue 18): the built functions run in the Functions emulator with the
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
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import {
  getFirestore,
  Timestamp,
  type DocumentData,
  type Firestore,
} from 'firebase-admin/firestore';
import { afterEach, describe, expect, it } from 'vitest';
import { Devnet, type DevnetOptions } from '../../devnet/src/devnet';
import { ChainScanner } from '../support/chain-scan';
import { runWeights } from '../support/cli';
import {
  checkExactlyOnce,
  reportLine,
  type InvariantReport,
  type PublishRequest,
} from '../support/exactly-once';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import {
  descendants,
  functionsProject,
  type FunctionsProject,
  type RunningEmulators,
} from '../support/functions-emulator';
import { serialExporter } from '../../scripts/demo-export.mjs';

const NETUID = 401;
const BLOCK_MS = 400;
/** Longest a scenario may take to recover, from its fault (generous: the emulator is slow). */
const RECOVERY_CEILING_S = 120;
const SCENARIO_TIMEOUT_MS = 300_000;
/** Publishing settings of the functions: short bounds, so that faults outlast every retry. */
const PARAMS = {
  NETUID: String(NETUID),
  PUBLISH_ATTEMPTS: '2',
  PUBLISH_RETRY_BASE_MS: '200',
  CHAIN_CONNECT_TIMEOUT_MS: '2000',
  CHAIN_READ_TIMEOUT_MS: '3000',
  CHAIN_INCLUSION_TIMEOUT_MS: '5000',
  // Every request publishes, although the shares may not have changed.
  UNCHANGED_REPUBLISH_MINUTES: '0',
};

interface Scenario {
  name: string;
  devnet: Devnet;
  devnetPort: number;
  proxy: FaultProxy;
  project: FunctionsProject;
  projectId: string;
  emulators: RunningEmulators;
  db: Firestore;
  app: App;
  validator: string;
  miners: string[];
  requests: PublishRequest[];
  scanner: ChainScanner;
}

let current: Scenario | undefined;
afterEach(async () => {
  const s = current;
  current = undefined;
  if (!s) return;
  await s.emulators.stop().catch(() => undefined);
  await s.db.terminate().catch(() => undefined);
  await deleteApp(s.app).catch(() => undefined);
  await s.proxy.close();
  await s.devnet.stop();
  s.project.remove();
});

async function startChain(options: DevnetOptions = {}): Promise<Devnet> {
  const devnet = await Devnet.start({
    autoBlocks: true,
    blockTimeMs: BLOCK_MS,
    finalityLag: 1,
    ...options,
  });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const alice = keyring.addFromUri('//Alice').address;
  const miners = ['//X1Miner1', '//X1Miner2'].map((uri) => keyring.addFromUri(uri).address);
  const c = devnet.controls;
  c.createSubnet({ netuid: NETUID, commitRevealWeightsEnabled: false, weightsSetRateLimit: 2 });
  for (const hotkey of [alice, ...miners]) c.registerNeuron(NETUID, hotkey);
  c.setValidatorPermit(NETUID, 0, true);
  c.setStake(NETUID, alice, 1_000_000_000);
  // Past the rate limit that registration starts.
  c.advanceBlocks(3);
  return devnet;
}

async function startScenario(
  name: string,
  options: { devnet?: DevnetOptions; params?: Record<string, string> } = {},
): Promise<Scenario> {
  await cryptoWaitReady();
  const devnet = await startChain(options.devnet);
  const devnetPort = Number(new URL(devnet.url).port);
  const proxy = await startFaultProxy({ port: devnetPort });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const validator = keyring.addFromUri('//Alice').address;
  const miners = ['//X1Miner1', '//X1Miner2'].map((uri) => keyring.addFromUri(uri).address);
  const projectId = `demo-x1-${name.replace(/[^a-z0-9]+/g, '-').slice(0, 12)}-${process.pid}`;
  const project = await functionsProject(projectId, {
    ...PARAMS,
    SUBTENSOR_NETWORK: proxy.url,
    ...options.params,
  });
  const emulators = await project.start();
  // This file's Firestore clients talk to this scenario's emulator (the variable wins over
  // settings, and this worker runs only this file).
  process.env.FIRESTORE_EMULATOR_HOST = project.firestoreHost;
  const app = initializeApp({ projectId }, `${projectId}-${Date.now()}`);
  const db = getFirestore(app);
  current = {
    name,
    devnet,
    devnetPort,
    proxy,
    project,
    projectId,
    emulators,
    db,
    app,
    validator,
    miners,
    requests: [],
    scanner: new ChainScanner(devnet.url, validator),
  };
  return current;
}

/** A publish request as a buyer makes one: a new curated lead (its trigger requests a publish). */
async function writeLead(s: Scenario, label: string): Promise<void> {
  const n = s.requests.length;
  s.requests.push({ atMs: Date.now(), label });
  await s.db
    .collection('curated_leads')
    .doc(label)
    .set({
      curated_by: s.miners[n % 2],
      source: s.miners[(n + 1) % 2],
      created_at: Timestamp.now(),
      buyer: `${label}@example.com`,
    });
}

type Doc = DocumentData & { id: string };

async function records(s: Scenario): Promise<Doc[]> {
  const snapshot = await s.db.collection('weight_transactions').get();
  return snapshot.docs.map((d) => ({ id: d.id, ...d.data() }));
}

/** Waits for a weight_transactions document that `match` accepts; returns it. */
async function waitForRecord(
  s: Scenario,
  match: (doc: Doc) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<Doc> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = (await records(s)).find(match);
    if (found) return found;
    if (Date.now() > until) {
      const seen = (await records(s)).map((d) => `${d.id}:${d.status}:${d.error_code}`);
      throw new Error(`no record ${what} within ${timeoutMs} ms; records: ${seen.join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const submitting = (doc: Doc) => doc.status === 'submitting';

/** Waits for the invariant; returns the seconds from the fault to it (null: not within the ceiling). */
async function recovery(
  s: Scenario,
  faultAtMs: number,
  ceilingS = RECOVERY_CEILING_S,
): Promise<{ seconds: number | null; report: InvariantReport }> {
  const until = faultAtMs + ceilingS * 1000;
  let report: InvariantReport;
  for (;;) {
    report = await checkExactlyOnce({
      db: s.db,
      scan: await s.scanner.scan(),
      validator: s.validator,
      requests: s.requests,
    });
    if (report.ok) return { seconds: (Date.now() - faultAtMs) / 1000, report };
    if (Date.now() > until) return { seconds: null, report };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Prints the scenario's line and asserts the invariant and the recovery time. */
function judge(s: Scenario, result: { seconds: number | null; report: InvariantReport }) {
  const { seconds, report } = result;
  console.log(reportLine(s.name, seconds, report));
  if (!report.ok) {
    console.log(
      `exactly-once: ${s.name}: problems:\n  ${report.problems.join('\n  ')}\n  records:\n  ${report.records
        .map(
          (r) =>
            `${r.id} ${r.status} ${r.error_code ?? ''} ${r.transaction_hash?.slice(0, 10) ?? '-'} block ${r.block_number} trigger ${r.trigger}${r.error_message ? `: ${r.error_message.slice(0, 200)}` : ''}`,
        )
        .join('\n  ')}`,
    );
  }
  expect(report.problems).toEqual([]);
  expect(seconds).not.toBeNull();
  expect(seconds as number).toBeLessThan(RECOVERY_CEILING_S);
}

/** Blocks stop (timer and on demand) until resumed: an extrinsic sent now waits in the pool. */
const stallBlocks = (s: Scenario, stalled: boolean) => {
  s.devnet.controls.stalled = stalled;
};

/** The Functions emulator's workers for `target`, among the processes this test started. */
function functionWorkers(s: Scenario, target: string): number[] {
  return descendants(s.emulators.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .includes(`FUNCTION_TARGET=${target}`);
    } catch {
      return false;
    }
  });
}

describe('exactly once, end to end', () => {
  it(
    'a connection drop right after the write-ahead',
    async () => {
      const s = await startScenario('connection drop after write-ahead');
      // Blocks wait, so the extrinsic is surely in flight when the connection drops.
      stallBlocks(s, true);
      await writeLead(s, 'drop-lead-1');
      await waitForRecord(s, submitting, 'submitting');
      const faultAt = Date.now();
      s.proxy.dropAll();
      stallBlocks(s, false);
      await writeLead(s, 'drop-lead-2');
      judge(s, await recovery(s, faultAt));
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'an endpoint that refuses connections for longer than all retries',
    async () => {
      const s = await startScenario('refused past all retries');
      stallBlocks(s, true);
      await writeLead(s, 'refuse-lead-1');
      await waitForRecord(s, submitting, 'submitting');
      const faultAt = Date.now();
      // Refused from now on: every retry of this run fails to connect (2 attempts, 2 s connect
      // timeout, 200 ms backoff: well under 15 s). The extrinsic is in the node's pool meanwhile
      // and lands once blocks resume.
      await s.proxy.refuse(15_000);
      s.proxy.dropAll();
      stallBlocks(s, false);
      // The run has given up: its record must still carry the extrinsic it sent.
      const record = await waitForRecord(
        s,
        (d) => d.status !== 'submitting' && d.trigger === 'curated_lead',
        'with the run’s outcome',
      );
      console.log(
        `exactly-once: refused past all retries: the run recorded ${record.id} ${record.status} ${record.error_code} hash ${record.transaction_hash} nonce ${record.nonce} era ${record.era_start}-${record.era_end}`,
      );
      expect.soft(record.transaction_hash).toMatch(/^0x[0-9a-f]{64}$/);
      expect.soft(record.nonce).toEqual(expect.any(Number));
      expect.soft(record.era_end).toEqual(expect.any(Number));
      await writeLead(s, 'refuse-lead-2');
      judge(s, await recovery(s, faultAt));
    },
    SCENARIO_TIMEOUT_MS,
  );

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
    'a worker killed after the write-ahead',
    async () => {
      const s = await startScenario('worker killed after write-ahead');
      stallBlocks(s, true);
      await writeLead(s, 'kill-lead-1');
      await waitForRecord(s, submitting, 'submitting');
      const workers = functionWorkers(s, 'publishWeightsTask');
      expect(workers.length).toBeGreaterThan(0);
      const faultAt = Date.now();
      for (const pid of workers) process.kill(pid, 'SIGKILL');
      console.log(`exactly-once: worker killed: SIGKILL to publishWeightsTask workers ${workers}`);
      stallBlocks(s, false);
      await writeLead(s, 'kill-lead-2');
      judge(s, await recovery(s, faultAt));
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'a chain restart with an unresolved record',
    async () => {
      const s = await startScenario('chain restart with an unresolved record');
      stallBlocks(s, true);
      await writeLead(s, 'reset-lead-1');
      await waitForRecord(s, submitting, 'submitting');
      const faultAt = Date.now();
      // The node goes away with the extrinsic in its pool; a new chain comes up on the same port.
      const oldGenesis = s.devnet.chain.genesisHash;
      const oldBlock1 = s.devnet.chain.block(1)?.hash;
      await s.devnet.stop();
      s.devnet = await startChain({ port: s.devnetPort });
      console.log(
        `exactly-once: chain restart: genesis ${oldGenesis === s.devnet.chain.genesisHash ? 'unchanged' : 'changed'}, block 1 ${oldBlock1 === s.devnet.chain.block(1)?.hash ? 'unchanged' : 'changed'}`,
      );
      // Requests made before the reset were published (or not) on the old chain: only what comes
      // after it must land on the new one.
      s.requests = [];
      await writeLead(s, 'reset-lead-2');
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
