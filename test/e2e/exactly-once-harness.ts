// The exactly-once scenarios' harness (issue 18), shared by the two scenario files so that they
// run side by side: see exactly-once-process.e2e.test.ts for what a scenario is and measures.
import { readFileSync } from 'node:fs';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import {
  getFirestore,
  Timestamp,
  type DocumentData,
  type Firestore,
} from 'firebase-admin/firestore';
import { afterEach, expect } from 'vitest';
import { Devnet, type DevnetOptions } from '../../devnet/src/devnet';
import { ChainScanner } from '../support/chain-scan';
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

export const NETUID = 401;
export const BLOCK_MS = 400;
/** Longest a scenario may take to recover, from its fault (generous: the emulator is slow). */
export const RECOVERY_CEILING_S = 120;
export const SCENARIO_TIMEOUT_MS = 300_000;
/** Publishing settings of the functions: short bounds, so that faults outlast every retry. */
export const PARAMS = {
  NETUID: String(NETUID),
  PUBLISH_ATTEMPTS: '2',
  PUBLISH_RETRY_BASE_MS: '200',
  CHAIN_CONNECT_TIMEOUT_MS: '2000',
  CHAIN_READ_TIMEOUT_MS: '3000',
  CHAIN_INCLUSION_TIMEOUT_MS: '5000',
  // Every request publishes, although the shares may not have changed.
  UNCHANGED_REPUBLISH_MINUTES: '0',
};

export interface Scenario {
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

/** Stops what the scenario started; each test file calls it once, at its top level. */
export function stopScenariosAfterEach(): void {
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
}

export async function startChain(options: DevnetOptions = {}): Promise<Devnet> {
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

export async function startScenario(
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
export async function writeLead(s: Scenario, label: string): Promise<void> {
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

export async function records(s: Scenario): Promise<Doc[]> {
  const snapshot = await s.db.collection('weight_transactions').get();
  return snapshot.docs.map((d) => ({ id: d.id, ...d.data() }));
}

/** Waits for a weight_transactions document that `match` accepts; returns it. */
export async function waitForRecord(
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

export const submitting = (doc: Doc) => doc.status === 'submitting';

/** Waits for the invariant; returns the seconds from the fault to it (null: not within the ceiling). */
export async function recovery(
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
export function judge(s: Scenario, result: { seconds: number | null; report: InvariantReport }) {
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
export const stallBlocks = (s: Scenario, stalled: boolean) => {
  s.devnet.controls.stalled = stalled;
};

/** The Functions emulator's workers for `target`, among the processes this test started. */
export function functionWorkers(s: Scenario, target: string): number[] {
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
