// Cloud Functions loads functions/lib/index.js whole for every function: the triggers must not pay
// for the publisher's modules. A fresh node process loads the built entry point as an instance
// does, then handles a curated lead, the schedule and a sourced lead (against the emulator), and
// reports which heavy modules were loaded at each step.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, inject, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const HEAVY = [
  '@polkadot/api',
  '@polkadot/util-crypto',
  'timelock_wasm',
  'secret-manager',
  '@google-cloud/logging',
];

const CHILD = `
const heavy = ${JSON.stringify(HEAVY)};
const loaded = () => heavy.filter((name) => Object.keys(require.cache).some((path) => path.includes(name)));
const report = {};
const lib = ${JSON.stringify(resolve(ROOT, 'functions/lib'))};
const index = require(lib + '/index.js');
report.entry = { loaded: loaded(), exports: Object.keys(index).sort() };
(async () => {
  const { getFirestore, Timestamp } = require('firebase-admin/firestore');
  const requests = require(lib + '/triggers/requests.js');
  const { leadWrite } = require(lib + '/rollups/observe.js');
  const db = getFirestore();
  const log = { info() {}, warn() {}, error() {} };
  const deps = { db, projectId: process.env.GCLOUD_PROJECT, log, queue: { async enqueue() {} } };
  const ref = db.collection('curated_leads').doc('light');
  await ref.set({ curated_by: 'x', source: 'y', created_at: Timestamp.now() });
  await requests.onCuratedLeadCreated(deps, 'curated_leads', leadWrite('light', undefined, await ref.get()));
  await requests.onSchedule(deps, new Date().toISOString());
  const { onSourcedLead } = require(lib + '/leads/review.js');
  await db.collection('sourced_leads').doc('s').set({ source: 'x', email: 'a@example.com' });
  await onSourcedLead({ db, leadId: 's', log, nowMs: Date.now() });
  report.handled = loaded();
  console.log(JSON.stringify(report));
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
`;

it('loads no chain, timelock or Secret Manager module for the triggers', async () => {
  const stdout = await new Promise<string>((done, fail) =>
    execFile(
      process.execPath,
      ['-e', CHILD],
      {
        cwd: resolve(ROOT, 'functions'),
        env: {
          ...process.env,
          GCLOUD_PROJECT: `demo-light-${process.pid}`,
          FIRESTORE_EMULATOR_HOST: inject('firestoreEmulatorHost'),
          FUNCTION_TARGET: 'onCuratedLeadCreated',
        },
      },
      (error, out, err) => (error ? fail(new Error(`${error.message}\n${err}`)) : done(out)),
    ),
  );
  const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
  expect(report.entry.exports).toEqual([
    'onCuratedLeadCreated',
    'onCuratedLeadDeleted',
    'onCuratedLeadUpdated',
    'onSourcedLeadCreated',
    'params',
    'publishWeightsTask',
    'scheduledPublish',
  ]);
  expect(report.entry.loaded).toEqual([]);
  // Handling leads validates hotkeys (@polkadot/util-crypto, loaded at the first lead), nothing more.
  expect(report.handled).toEqual(['@polkadot/util-crypto']);
}, 60_000);
