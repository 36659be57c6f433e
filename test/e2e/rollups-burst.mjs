// Runs inside `firebase emulators:exec` (functions, Firestore, Cloud Tasks emulators): the rollups
// are rebuilt on the empty collection (as after the first deploy), then 300 curated leads arrive
// in 10 seconds, each recorded by the deployed curated-lead triggers; a few of them are
// changed or deleted during the burst. Once every write is recorded, the window is scored from the
// rollups and by the full scan, in-process with the built functions. Prints one JSON line.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { initializeApp } from 'firebase-admin/app';
import { getFirestore, Timestamp } from 'firebase-admin/firestore';

const require = createRequire(join(process.env.E2E_FUNCTIONS_DIR, 'package.json'));
const { rebuildRollups } = require('./lib/rollups/rebuild.js');
const { RollupStore } = require('./lib/rollups/store.js');
const { canonicalHotkey } = require('./lib/leads/hotkey.js');
const { calculateWeights } = require('./lib/scoring/calculate-weights.js');
const { DEFAULT_SCORING_CONFIG } = require('./lib/config/scoring.js');

const LEADS = 300;
const BURST_MS = 10_000;
const projectId = process.env.GCLOUD_PROJECT;
const db = getFirestore(initializeApp({ projectId }));
const miners = JSON.parse(process.env.E2E_MINERS);
const store = new RollupStore(db, 'curated_leads');
const leads = db.collection('curated_leads');
const quiet = { info() {}, warn() {}, error() {} };

await rebuildRollups(store, canonicalHotkey);

const started = Date.now();
const writes = [];
for (let i = 0; i < LEADS; i++) {
  const due = started + (i * BURST_MS) / LEADS;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
  const lead = {
    curated_by: miners[i % miners.length],
    source: miners[(i * 7 + 3) % miners.length],
    created_at: Timestamp.fromMillis(Date.now() - (i % 48) * 3600e3),
    buyer: `buyer-${i}@example.com`,
  };
  if (i % 50 === 7) delete lead.source; // skipped: missing_source
  writes.push(leads.doc(`burst-${i}`).set(lead));
  // Changes while the burst goes on: a curator changed, a lead deleted.
  if (i % 60 === 59) writes.push(leads.doc(`burst-${i - 30}`).update({ curated_by: miners[0] }));
  if (i % 75 === 74) writes.push(leads.doc(`burst-${i - 10}`).delete());
}
await Promise.all(writes);
const burstMs = Date.now() - started;

// Every write recorded: as many records as writes' latest versions, none pending behind a lead.
const deadline = Date.now() + 60_000;
let recorded = 0;
for (;;) {
  const [records, docs] = await Promise.all([store.records.get(), leads.get()]);
  const versions = new Map(docs.docs.map((d) => [d.id, d.updateTime.toMillis()]));
  recorded = records.docs.filter((r) => {
    const at = versions.get(r.id);
    return at === undefined ? r.get('current') === null : r.get('version').toMillis() === at;
  }).length;
  if (recorded === records.size && records.size >= LEADS) break;
  if (Date.now() > deadline) throw new Error(`only ${recorded} of ${records.size} writes recorded`);
  await new Promise((resolve) => setTimeout(resolve, 250));
}
const recordedMs = Date.now() - started;

const score = (method) =>
  calculateWeights({
    db,
    projectId,
    config: DEFAULT_SCORING_CONFIG,
    log: quiet,
    now: new Date(),
    method,
  });
const viaRollups = await score('auto');
const viaScan = await score('full_scan');
const leadCount = (await leads.count().get()).data().count;
console.log(
  `E2E_RESULT ${JSON.stringify({ burstMs, recordedMs, leadCount, viaRollups, viaScan })}`,
);
await db.terminate();
process.exit(0);
