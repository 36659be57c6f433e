// Benchmark: documents read and wall time of one scoring run, from the lead rollups and by the
// full scan, for 1,000 and 10,000 leads (and 100,000 with --100k), against the Firestore emulator.
// Leads are written as producers write them, and each write goes through the trigger's own
// code (observeLeadWrites, what the curated-lead triggers call), in batches for seeding speed. The
// rollups were rebuilt on the empty collection first, as after the first deploy. The first
// scoring run folds every seeded lead; the runs measured after it find nothing pending, as an
// hourly run finds an hour of leads at most. Also: `weights rollups rebuild` throughput.
// The "distinct" case names a new hotkey in every lead (10,000 distinct hotkeys, 4,000 of them in
// one day): the day documents spill into shard documents, so the reads grow by one per further
// 1,500 distinct hotkeys in a day, and nothing fails.
// Run: npm run bench:scoring [-- --100k]. Shared machines are noisy: compare within one run.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { startFirestoreEmulator } from '../scripts/emulators/firestore.mjs';

const require = createRequire(import.meta.url);
const SIZES = process.argv.includes('--100k') ? [1_000, 10_000, 100_000] : [1_000, 10_000];
/** The cases: ordinary (64 miners) at each size, then many distinct hotkeys. */
const CASES = [
  ...SIZES.map((n) => ({ n, hotkeys: 'ordinary' })),
  { n: 10_000, hotkeys: 'distinct' },
];
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MINERS = 64;

const emulator = await startFirestoreEmulator();
process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
process.env.METADATA_SERVER_DETECTION = 'none';
const { initializeApp } = require('firebase-admin/app');
const { getFirestore, Timestamp } = require('firebase-admin/firestore');
const { encodeAddress, blake2AsU8a } = require('@polkadot/util-crypto');
const lib = (path) => require(`../functions/lib/${path}`);
const { canonicalHotkey } = lib('leads/hotkey.js');
const { observeLeadWrites } = lib('rollups/observe.js');
const { rebuildRollups } = lib('rollups/rebuild.js');
const { RollupStore } = lib('rollups/store.js');
const { calculateWeights } = lib('scoring/calculate-weights.js');
const { DEFAULT_SCORING_CONFIG } = lib('config/scoring.js');

const quiet = { info() {}, warn() {}, error() {} };
const miners = Array.from({ length: MINERS }, (_, i) =>
  encodeAddress(blake2AsU8a(`miner ${i}`), 42),
);
const NOW = new Date('2026-11-22T12:20:00Z');

const distinct = (i) => encodeAddress(blake2AsU8a(`spam ${i}`), 42);

/** Leads each naming a hotkey of its own: 4,000 in one day, the rest over the window. */
function distinctLeadAt(i) {
  const minutesAgo = i < 4000 ? 30 * 60 + (i % 600) : (i * 7919) % (35 * 24 * 60);
  const ms = NOW.getTime() - minutesAgo * 60e3 - (i % 1000);
  return {
    curated_by: distinct(i),
    source: miners[i % MINERS],
    created_at: Timestamp.fromMillis(ms),
    buyer: `buyer-${i}@example.com`,
  };
}

/** A month and five days of leads, every created_at type, one in 200 without a source. */
function leadAt(i) {
  const ms = NOW.getTime() - ((i * 7919) % (35 * 24 * 60)) * 60e3 - (i % 1000);
  const types = [Timestamp.fromMillis(ms), ms / 1000, ms, new Date(ms).toISOString()];
  const lead = {
    curated_by: miners[i % MINERS],
    source: miners[(i * 31 + 7) % MINERS],
    created_at: types[i % types.length],
    buyer: `buyer-${i}@example.com`,
    note: 'x'.repeat(200),
  };
  if (i % 200 === 13) delete lead.source;
  return lead;
}

async function seed(db, store, n, leadAt) {
  const leads = db.collection('curated_leads');
  const started = performance.now();
  const pending = [];
  for (let i = 0; i < n; i += 400) {
    const batch = db.batch();
    const ids = [];
    for (let j = i; j < Math.min(i + 400, n); j++) {
      const id = `lead-${String(j).padStart(6, '0')}`;
      ids.push([id, leadAt(j)]);
      batch.set(leads.doc(id), ids.at(-1)[1]);
    }
    pending.push(
      batch.commit().then((results) =>
        observeLeadWrites(
          store,
          ids.map(([id, data], k) => ({
            id,
            data,
            version: { time: results[k].writeTime, deleted: false },
          })),
          canonicalHotkey,
        ),
      ),
    );
    if (pending.length >= 4) await pending.shift();
  }
  await Promise.all(pending);
  return performance.now() - started;
}

async function score(db, projectId, method) {
  const started = performance.now();
  const result = await calculateWeights({
    db,
    projectId,
    config: DEFAULT_SCORING_CONFIG,
    log: quiet,
    now: NOW,
    method,
  });
  return { ms: performance.now() - started, result };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rows = [];
const rebuilds = [];
for (const { n, hotkeys } of CASES) {
  const projectId = `demo-bench-scoring-${n}-${hotkeys}`;
  const db = getFirestore(initializeApp({ projectId }, projectId));
  const store = new RollupStore(db, 'curated_leads');
  await rebuildRollups(store, canonicalHotkey);
  const seedMs = await seed(db, store, n, hotkeys === 'distinct' ? distinctLeadAt : leadAt);
  const first = await score(db, projectId, 'auto');
  const runs = { rollups: [], full_scan: [] };
  for (let run = 0; run < RUNS; run++) {
    runs.rollups.push(await score(db, projectId, 'auto'));
    runs.full_scan.push(await score(db, projectId, 'full_scan'));
  }
  const [a, b] = [runs.rollups.at(-1).result, runs.full_scan.at(-1).result];
  const same =
    JSON.stringify(a.miners) === JSON.stringify(b.miners) &&
    JSON.stringify(a.weights_dict) === JSON.stringify(b.weights_dict) &&
    JSON.stringify(a.leads.skipped) === JSON.stringify(b.leads.skipped);
  rows.push({
    n,
    hotkeys,
    seedMs,
    first,
    runs,
    same,
    counted: a.leads.counted,
    miners: Object.keys(a.miners).length,
  });
  const started = performance.now();
  const rebuilt = await rebuildRollups(store, canonicalHotkey, { restart: true });
  rebuilds.push({
    n,
    hotkeys,
    seconds: (performance.now() - started) / 1000,
    scanned: rebuilt.scanned,
  });
  await db.terminate();
}
await emulator.stop();

const fmt = (v, width) => String(v).padStart(width);
console.log(
  `Scoring a 30-day window, Firestore emulator, median of ${RUNS} runs (Node ${process.versions.node})\n`,
);
console.log(
  '| leads   | hotkeys  | miners | method    | documents read | median ms | same result |',
);
console.log(
  '| ------- | -------- | ------ | --------- | -------------- | --------- | ----------- |',
);
for (const { n, hotkeys, miners: scored, runs, same } of rows) {
  for (const method of ['rollups', 'full_scan']) {
    const docs = runs[method].at(-1).result.reads.documents;
    const ms = median(runs[method].map((r) => r.ms));
    console.log(
      `| ${fmt(n, 7)} | ${hotkeys.padEnd(8)} | ${fmt(scored, 6)} | ${method.padEnd(9)} | ${fmt(docs, 14)} | ${fmt(ms.toFixed(0), 9)} | ${(same ? 'yes' : 'NO').padEnd(11)} |`,
    );
  }
}
console.log(
  '\nSeeding through the trigger path, and the first run after it (it folds every seeded lead):\n',
);
console.log('| leads   | hotkeys  | seed s | leads/s | first run s | folded  | documents read |');
console.log('| ------- | -------- | ------ | ------- | ----------- | ------- | -------------- |');
for (const { n, hotkeys, seedMs, first } of rows) {
  console.log(
    `| ${fmt(n, 7)} | ${hotkeys.padEnd(8)} | ${fmt((seedMs / 1000).toFixed(1), 6)} | ${fmt(Math.round(n / (seedMs / 1000)), 7)} | ${fmt((first.ms / 1000).toFixed(1), 11)} | ${fmt(first.result.rollups.folded, 7)} | ${fmt(first.result.reads.documents, 14)} |`,
  );
}
console.log('\n`weights rollups rebuild` (a new generation from every lead):\n');
console.log('| leads   | hotkeys  | seconds | leads/s |');
console.log('| ------- | -------- | ------- | ------- |');
for (const { n, hotkeys, seconds, scanned } of rebuilds) {
  console.log(
    `| ${fmt(n, 7)} | ${hotkeys.padEnd(8)} | ${fmt(seconds.toFixed(1), 7)} | ${fmt(Math.round(scanned / seconds), 7)} |`,
  );
}
if (rows.some((row) => !row.same)) process.exitCode = 1;
