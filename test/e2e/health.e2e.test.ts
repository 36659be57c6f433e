// Weight health, end to end (issue 22): the built functions run in the Functions emulator with the
// Firestore and Cloud Tasks emulators and publish on a devnet started here; a webhook receiver on
// 127.0.0.1 stands in for Slack or Discord, its URL in functions/.secret.local as the
// HEALTH_WEBHOOK_URL secret. Cloud Scheduler is played by firing scheduledPublish, which requests a
// publish and then checks the weights' health.
//
// Publishing stalls (every submission refused) while blocks pass: LastUpdate crosses the warning
// and then the critical threshold (fractions of the subnet's ActivityCutoff); submissions are
// accepted again and a publish lands. The receiver gets exactly one warning, one critical and one
// recovery, whatever the number of scheduled runs; its first answer is a 500, so the warning is
// retried and both attempts are recorded. Waits are for states (a record, the health document).
import { fireScheduledFunction } from '../../scripts/emulators/fire-schedule.mjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore, Timestamp, type Firestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Devnet } from '../../devnet/src/devnet';
import type { HealthDoc } from '../../functions/src/health/incidents';
import {
  functionsProject,
  type FunctionsProject,
  type RunningEmulators,
} from '../support/functions-emulator';
import { waitFor } from '../support/wait';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const NETUID = 401;
const CUTOFF = 40;
const projectId = `demo-health-e2e-${process.pid}`;
let devnet: Devnet;
let hook: WebhookReceiver;
let project: FunctionsProject;
let emulators: RunningEmulators;
let app: App;
let db: Firestore;

beforeAll(async () => {
  await cryptoWaitReady();
  // Blocks on demand, and one as soon as a transaction reaches the pool (unless refused).
  devnet = await Devnet.start({ finalityLag: 0, blockTimeMs: 1000 });
  devnet.chain.on('submitted', () => setTimeout(() => devnet.chain.produceBlock(), 5));
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const alice = keyring.addFromUri('//Alice').address;
  const miners = ['//HealthMiner1', '//HealthMiner2'].map((uri) => keyring.addFromUri(uri).address);
  const c = devnet.controls;
  c.createSubnet({ netuid: NETUID, commitRevealWeightsEnabled: false, weightsSetRateLimit: 2 });
  for (const hotkey of [alice, ...miners]) c.registerNeuron(NETUID, hotkey);
  c.setValidatorPermit(NETUID, 0, true);
  c.setStake(NETUID, alice, 1_000_000_000);
  c.setHyperparameter('activityCutoff', NETUID, CUTOFF);
  c.advanceBlocks(3);

  hook = await startWebhookReceiver();
  project = await functionsProject(projectId, {
    SUBTENSOR_NETWORK: devnet.url,
    NETUID: String(NETUID),
    PUBLISH_ATTEMPTS: '1',
    UNCHANGED_REPUBLISH_MINUTES: '0',
    CHAIN_CONNECT_TIMEOUT_MS: '5000',
    CHAIN_READ_TIMEOUT_MS: '5000',
    HEALTH_WEBHOOK_FORMAT: 'generic',
    HEALTH_WEBHOOK_ATTEMPTS: '3',
    HEALTH_WEBHOOK_RETRY_BASE_MS: '200',
    HEALTH_REMINDER_MINUTES: '0',
  });
  // The secret for the Functions emulator: the receiver's URL, whose path is the secret part.
  writeFileSync(
    join(project.functionsDir, '.secret.local'),
    `VALIDATOR_HOTKEY=//Alice\nHEALTH_WEBHOOK_URL=${hook.url}\n`,
  );
  emulators = await project.start();
  process.env.FIRESTORE_EMULATOR_HOST = project.firestoreHost;
  app = initializeApp({ projectId }, `${projectId}-${Date.now()}`);
  db = getFirestore(app);
  await db
    .collection('curated_leads')
    .doc('health-lead')
    .set({ curated_by: miners[0], source: miners[1], created_at: Timestamp.now() });
}, 180_000);

afterAll(async () => {
  await emulators?.stop();
  if (app) await deleteApp(app);
  await hook?.close();
  await devnet?.stop();
  project?.remove();
});

const landed = async () =>
  (await db.collection('weight_transactions').get()).docs.filter((d) =>
    ['included', 'finalized'].includes(String(d.get('status'))),
  ).length;

const health = async () =>
  (await db.doc('validator_state/health').get()).data() as HealthDoc | undefined;

/** Cloud Scheduler's call of scheduledPublish; resolves once the health document was rewritten. */
async function fireSchedule(): Promise<HealthDoc> {
  const before = (await health())?.updated_at;
  await fireScheduledFunction({ functionsHost: project.functionsHost, projectId });
  await waitFor(async () => (await health())?.updated_at !== before, 60_000);
  return (await health()) as HealthDoc;
}

const best = () => devnet.chain.best.number;
const lastUpdate = () =>
  Number(
    (devnet.chain.bestState.value('subtensorModule', 'lastUpdate', NETUID).toJSON() as number[])[0],
  );
/** Blocks pass without a landed publish until LastUpdate is `age` blocks old. */
const ageTo = (age: number) => devnet.controls.advanceBlocks(lastUpdate() + age - best());

it('a stall sends one warning, one critical and one recovery; a failing webhook is retried', async () => {
  // The lead's publish lands.
  await waitFor(async () => (await landed()) >= 1, 90_000);
  devnet.controls.advanceBlocks(3);
  let doc = await fireSchedule();
  expect(doc.status).toBe('ok');

  // Every submission refused from now on: publishing stalls.
  devnet.controls.refuseSubmissions(1);
  ageTo(CUTOFF / 2);
  hook.answer(500);
  doc = await fireSchedule();
  expect(doc.status).toBe('warning');
  expect(doc.evaluation.reasons.map((r) => r.code)).toContain('last_update_stale');
  await waitFor(async () => ((await health())?.deliveries.length ?? 0) >= 1);
  doc = (await health()) as HealthDoc;
  expect(doc.deliveries[0]).toMatchObject({ kind: 'opened', outcome: 'delivered' });
  expect(doc.deliveries[0].attempts.map((a) => a.result)).toEqual(['http 500', 'http 200']);
  expect(doc.deliveries[0].attempts[1].waited_ms).toBeLessThanOrEqual(200);

  // A second run at the same level: nothing more is sent.
  devnet.controls.advanceBlocks(1);
  await fireSchedule();

  ageTo(Math.ceil(CUTOFF * 0.8));
  doc = await fireSchedule();
  expect(doc.status).toBe('critical');

  // Submissions accepted again: a scheduled publish lands, and a later check recovers.
  devnet.controls.refuseSubmissions(null);
  const before = await landed();
  await fireSchedule();
  await waitFor(async () => (await landed()) > before, 90_000);
  doc = await fireSchedule();
  expect(doc.status).toBe('ok');
  expect(doc.incident).toBeNull();
  await fireSchedule();

  await waitFor(async () => hook.received.filter((r) => r.status === 200).length >= 3);
  const delivered = hook.received.filter((r) => r.status === 200).map((r) => r.body);
  expect(delivered.map((b) => [b.kind, b.status])).toEqual([
    ['opened', 'warning'],
    ['escalated', 'critical'],
    ['resolved', 'ok'],
  ]);
  expect(hook.received.map((r) => r.path)).toEqual(hook.received.map(() => hook.secretPath));
  doc = (await health()) as HealthDoc;
  expect(doc.incidents).toHaveLength(1);
  expect(doc.incidents[0]).toMatchObject({ worst: 'critical', status: 'ok' });
  expect(doc.deliveries.map((d) => [d.kind, d.outcome])).toEqual([
    ['resolved', 'delivered'],
    ['escalated', 'delivered'],
    ['opened', 'delivered'],
  ]);

  // The function's log: one structured entry per change, and never the webhook's secret path.
  const output = emulators.output();
  expect(output).not.toContain(hook.secretPath);
  for (const severity of ['WARNING', 'ALERT', 'NOTICE'])
    expect(output, severity).toMatch(
      new RegExp(
        `"severity":"${severity}"[^\\n]*weights_health_changed|weights_health_changed[^\\n]*"severity":"${severity}"`,
      ),
    );
}, 400_000);
