// Runs inside `firebase emulators:exec` for `npm start`: loads the sample leads (each curated lead
// fires the trigger; together they make one publish), creates the dashboard's demo auditor, then
// prints every weight_transactions document as it is written, until Ctrl-C. It also stands in for
// Cloud Scheduler (the Functions emulator never fires scheduledPublish: it is called here every
// DEMO_SCHEDULE_SECONDS, default 3600 as PUBLISH_SCHEDULE's every 60 minutes), and exports the
// emulators' data right after each write-ahead record and each outcome.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore } from 'firebase-admin/firestore';
import { serialExporter } from './demo-export.mjs';
import { fireScheduledFunction } from './emulators/fire-schedule.mjs';
import { sampleLeads } from './sample-leads.mjs';

const projectId = process.env.GCLOUD_PROJECT;
const app = initializeApp({ projectId });
const db = getFirestore(app);

// The dashboard's demo sign-in: an Auth emulator user as the rules ask for, with the claim, a
// password and a verified address (also when restored from a run made before they asked for it).
const DEMO_AUDITOR = { email: 'auditor@example.com', password: 'demo-auditor' };
const auth = getAuth(app);
const restoredAuditor = await auth.getUserByEmail(DEMO_AUDITOR.email).catch(() => null);
const auditor = restoredAuditor
  ? await auth.updateUser(restoredAuditor.uid, { ...DEMO_AUDITOR, emailVerified: true })
  : await auth.createUser({ ...DEMO_AUDITOR, emailVerified: true, displayName: 'Demo auditor' });
await auth.setCustomUserClaims(auditor.uid, { auditor: true });
const hub = await fetch(`http://${process.env.FIREBASE_EMULATOR_HUB}/emulators`);
const { hosting, functions } = await hub.json();
const dashboard = `http://${hosting.host}:${hosting.port}/`;
const restored = (await db.collection('weight_transactions').count().get()).data().count;
if (!(await db.collection('curated_leads').limit(1).get()).empty) {
  console.log(`\nRestored the previous run: ${restored} weight transactions in the audit trail.`);
} else {
  // As after a first deploy (README, Deploying, step 5): the rollups are built once, so scoring
  // reads them from the first publish on.
  const weights = join(dirname(fileURLToPath(import.meta.url)), '..', 'functions/bin/weights.js');
  // (Its warning that no lead write was seen yet is moot here: the functions are running.)
  const rebuilt = spawnSync(process.execPath, [weights, 'rollups', 'rebuild'], {
    encoding: 'utf8',
  });
  if (rebuilt.status !== 0)
    console.error(
      `weights rollups rebuild failed, so scoring reads every lead:\n${rebuilt.stderr}`,
    );
  const leads = await sampleLeads(new Date());
  const batch = db.batch();
  for (const [id, lead] of Object.entries(leads))
    batch.set(db.collection('curated_leads').doc(id), lead);
  await batch.commit();
  console.log(
    `\nLoaded ${Object.keys(leads).length} sample curated leads: the triggers request one publish.`,
  );
}

// The emulators' data is exported right after each weight_transactions record is written ahead
// (`submitting`) and after each outcome, so even a kill -9 of every process keeps the audit trail
// up to its last record. Exports never overlap: what is written during one is exported by at most
// one more, right after it (a burst costs one extra export, not one each).
const exporter =
  process.env.FIREBASE_EMULATOR_HUB && process.env.DEMO_DATA_DIR
    ? serialExporter({ hub: process.env.FIREBASE_EMULATOR_HUB, path: process.env.DEMO_DATA_DIR })
    : undefined;

// Cloud Scheduler's part: the Functions emulator never fires scheduledPublish by itself, so it is
// called here as Cloud Scheduler calls it, every DEMO_SCHEDULE_SECONDS.
const scheduleSeconds = Number(process.env.DEMO_SCHEDULE_SECONDS ?? 3600);
if (!Number.isFinite(scheduleSeconds) || scheduleSeconds <= 0)
  throw new Error(`DEMO_SCHEDULE_SECONDS must be a positive number, got ${scheduleSeconds}`);
const fireSchedule = async () => {
  try {
    await fireScheduledFunction({
      functionsHost: `${functions.host}:${functions.port}`,
      projectId,
    });
    console.log(`\nschedule: scheduledPublish fired (${new Date().toISOString()})`);
  } catch (error) {
    console.error(`\nschedule: scheduledPublish could not be fired: ${error.message}`);
  }
};
setInterval(fireSchedule, scheduleSeconds * 1000);

const seen = new Map();
let restoredRecords = true;
db.collection('weight_transactions')
  .orderBy('ts', 'asc')
  .onSnapshot((snapshot) => {
    let written = false;
    for (const doc of snapshot.docs) {
      const t = doc.data();
      // Each state of a record once: written ahead as submitting, then its outcome.
      if (seen.get(doc.id) === t.status) continue;
      seen.set(doc.id, t.status);
      written = true;
      const where =
        t.block_number === null ? '' : ` in block #${t.block_number} (${t.transaction_hash})`;
      console.log(
        `\nweight_transactions/${doc.id}: ${t.status}${where}, trigger ${t.trigger} ${t.trigger_ref ?? ''}`,
      );
      console.log(`  uids ${JSON.stringify(t.uids)} → u16 ${JSON.stringify(t.weights_u16)}`);
      if (t.error_code) console.log(`  ${t.error_code}: ${t.error_message}`);
    }
    // The first snapshot of a restart is what was restored (exported already); anything new is
    // exported now.
    if (written && !(restoredRecords && restored > 0)) exporter?.request();
    restoredRecords = false;
  });

console.log(`
The pipeline keeps running (devnet ${process.env.DEVNET_URL}, subnet ${process.env.DEMO_NETUID}).
Dashboard: ${dashboard}  (sign in as ${DEMO_AUDITOR.email}, password ${DEMO_AUDITOR.password})
scheduledPublish is fired every ${scheduleSeconds} s (DEMO_SCHEDULE_SECONDS), as Cloud Scheduler would.
In another terminal:
  npm run lead                 write one more curated lead (a new publish once the rate limit allows)
  FIRESTORE_EMULATOR_HOST=${process.env.FIRESTORE_EMULATOR_HOST} npx weights history
                               the audit trail, newest first
Ctrl-C stops everything; the audit trail is kept for the next npm start (npm run demo:reset forgets it).`);
// Ctrl-C reaches this script too: a stop asked for is a clean exit, not a failed script.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
await new Promise(() => undefined);
