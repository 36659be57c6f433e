// Runs inside `firebase emulators:exec` for `npm start`: loads the sample leads (each curated lead
// fires the trigger; together they make one publish), creates the dashboard's demo auditor, then
// prints every weight_transactions document as it is written, until Ctrl-C.
import { initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore } from 'firebase-admin/firestore';
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
const { hosting } = await hub.json();
const dashboard = `http://${hosting.host}:${hosting.port}/`;
const restored = (await db.collection('weight_transactions').count().get()).data().count;
if (!(await db.collection('curated_leads').limit(1).get()).empty) {
  console.log(`\nRestored the previous run: ${restored} weight transactions in the audit trail.`);
} else {
  const leads = await sampleLeads(new Date());
  const batch = db.batch();
  for (const [id, lead] of Object.entries(leads))
    batch.set(db.collection('curated_leads').doc(id), lead);
  await batch.commit();
  console.log(
    `\nLoaded ${Object.keys(leads).length} sample curated leads: the triggers request one publish.`,
  );
}

// Exported after each new attempt (at most every 10 s), so even a kill -9 of every process keeps
// the audit trail up to the last export.
let exportTimer;
const exportSoon = () => {
  const hub = process.env.FIREBASE_EMULATOR_HUB;
  if (!hub || !process.env.DEMO_DATA_DIR || exportTimer) return;
  exportTimer = setTimeout(async () => {
    exportTimer = undefined;
    await fetch(`http://${hub}/_admin/export`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: process.env.DEMO_DATA_DIR, initiatedBy: 'demo' }),
    }).catch(() => undefined);
  }, 10_000);
};

const seen = new Map();
db.collection('weight_transactions')
  .orderBy('ts', 'asc')
  .onSnapshot((snapshot) => {
    for (const doc of snapshot.docs) {
      const t = doc.data();
      // Each state of a record once: written ahead as submitting, then its outcome.
      if (seen.get(doc.id) === t.status) continue;
      seen.set(doc.id, t.status);
      exportSoon();
      const where =
        t.block_number === null ? '' : ` in block #${t.block_number} (${t.transaction_hash})`;
      console.log(
        `\nweight_transactions/${doc.id}: ${t.status}${where}, trigger ${t.trigger} ${t.trigger_ref ?? ''}`,
      );
      console.log(`  uids ${JSON.stringify(t.uids)} → u16 ${JSON.stringify(t.weights_u16)}`);
      if (t.error_code) console.log(`  ${t.error_code}: ${t.error_message}`);
    }
  });

console.log(`
The pipeline keeps running (devnet ${process.env.DEVNET_URL}, subnet ${process.env.DEMO_NETUID}).
Dashboard: ${dashboard}  (sign in as ${DEMO_AUDITOR.email}, password ${DEMO_AUDITOR.password})
In another terminal:
  npm run lead                 write one more curated lead (a new publish once the rate limit allows)
  npx weights history          the audit trail (FIRESTORE_EMULATOR_HOST=127.0.0.1:8080)
Ctrl-C stops everything; the audit trail is kept for the next npm start (npm run demo:reset forgets it).`);
await new Promise(() => undefined);
