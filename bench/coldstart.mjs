// Benchmark: what a cold Cloud Functions instance pays before its first event. Every function's
// instance loads functions/lib/index.js whole; then each handler imports what it needs at its
// first event. Each figure is the median of fresh node processes, against a bare
// firebase-functions + firebase-admin module that defines the same six triggers.
// Run: npm run bench:coldstart (BENCH_RUNS=n for more runs). Shared machines are noisy: compare
// the ratios within one run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const LIB = join(ROOT, 'functions/lib');
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const HEAVY = ['@polkadot/api', '@polkadot/util-crypto', 'timelock_wasm', 'secret-manager'];

// The baseline: the same triggers, doing nothing, with only the two SDKs loaded.
const scratch = mkdtempSync(join(tmpdir(), 'coldstart-'));
const BASELINE = join(scratch, 'baseline.cjs');
writeFileSync(
  BASELINE,
  `const { initializeApp } = require(${JSON.stringify(resolved('firebase-admin/app'))});
require(${JSON.stringify(resolved('firebase-admin/firestore'))});
const { setGlobalOptions } = require(${JSON.stringify(resolved('firebase-functions/v2'))});
const firestore = require(${JSON.stringify(resolved('firebase-functions/v2/firestore'))});
const { onSchedule } = require(${JSON.stringify(resolved('firebase-functions/v2/scheduler'))});
const { onTaskDispatched } = require(${JSON.stringify(resolved('firebase-functions/v2/tasks'))});
setGlobalOptions({ region: 'us-central1' });
initializeApp();
exports.a = firestore.onDocumentCreated('a/{id}', () => undefined);
exports.u = firestore.onDocumentUpdated('a/{id}', () => undefined);
exports.x = firestore.onDocumentDeleted('a/{id}', () => undefined);
exports.b = firestore.onDocumentCreated('b/{id}', () => undefined);
exports.c = onSchedule('every 60 minutes', () => undefined);
exports.d = onTaskDispatched(() => undefined);
`,
);

/** Where the functions' own dependencies resolve a module. */
function resolved(name) {
  return execFileSync(process.execPath, ['-p', `require.resolve(${JSON.stringify(name)})`], {
    cwd: join(ROOT, 'functions'),
  })
    .toString()
    .trim();
}

/** Loads `entry` (and then `firstEvent`, the modules a handler imports) in a fresh process. */
function measure(entry, firstEvent = []) {
  const script = `
    const t0 = performance.now();
    require(${JSON.stringify(entry)});
    const load = performance.now() - t0;
    const t1 = performance.now();
    for (const m of ${JSON.stringify(firstEvent)}) require(m);
    const event = performance.now() - t1;
    const paths = Object.keys(require.cache);
    const heavy = ${JSON.stringify(HEAVY)}.filter((h) => paths.some((p) => p.includes(h)));
    console.log(JSON.stringify({ load, event, heavy }));`;
  const env = { ...process.env, GCLOUD_PROJECT: 'demo-coldstart', FIREBASE_CONFIG: '{}' };
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env }).toString());
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const index = join(LIB, 'index.js');
const cases = [
  ['baseline (SDKs only)', BASELINE, []],
  ['onCuratedLeadCreated', index, [join(LIB, 'leads/hotkey.js')]],
  ['onSourcedLeadCreated', index, [join(LIB, 'leads/review.js')]],
  ['scheduledPublish', index, [join(LIB, 'leads/review.js')]],
  ['publishWeightsTask', index, [join(LIB, 'triggers/handlers.js')]],
];
const rows = cases.map(([name, entry, firstEvent]) => ({ name, entry, firstEvent, runs: [] }));
// Interleaved, so that a busy moment of the machine does not fall on one row.
for (let run = 0; run < RUNS; run++) {
  for (const row of rows) row.runs.push(measure(row.entry, row.firstEvent));
}
rmSync(scratch, { recursive: true, force: true });

const base = median(rows[0].runs.map((r) => r.load));
console.log(`Cold start, median of ${RUNS} fresh processes (Node ${process.versions.node})\n`);
console.log(
  '| function             | load ms | × baseline | first event: imports ms | heavy modules at load | after first event |',
);
console.log(
  '| -------------------- | ------- | ---------- | ----------------------- | --------------------- | ----------------- |',
);
for (const row of rows) {
  const load = median(row.runs.map((r) => r.load));
  const event = median(row.runs.map((r) => r.event));
  const last = row.runs.at(-1);
  const atLoad = row.name.startsWith('baseline')
    ? '-'
    : measure(row.entry).heavy.join(', ') || 'none';
  console.log(
    `| ${row.name.padEnd(20)} | ${load.toFixed(0).padStart(7)} | ${(load / base).toFixed(2).padStart(10)} | ${event.toFixed(0).padStart(23)} | ${atLoad.padEnd(21)} | ${(last.heavy.join(', ') || 'none').padEnd(17)} |`,
  );
}
