// Runs inside `firebase emulators:exec` (functions, Firestore, Cloud Tasks emulators), as a user
// would drive the deployed functions: write a curated lead, wait for its weight_transactions
// document; then fire the scheduled function and wait for its document. Prints one JSON line.
import { initializeApp } from 'firebase-admin/app';
import { getFirestore, Timestamp } from 'firebase-admin/firestore';
import { fireScheduledFunction } from '../../scripts/emulators/fire-schedule.mjs';

const projectId = process.env.GCLOUD_PROJECT;
const db = getFirestore(initializeApp({ projectId }));
const miners = JSON.parse(process.env.E2E_MINERS);
const functionsHost = process.env.E2E_FUNCTIONS_HOST;

async function waitForTransaction(trigger, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const snapshot = await db
      .collection('weight_transactions')
      .where('trigger', '==', trigger)
      .get();
    // A record is written ahead as `submitting`, then completed: wait for its outcome.
    const done = snapshot.docs
      .map((d) => d.data())
      .find((d) => d.status !== 'rate-limited' && d.status !== 'submitting');
    if (done) return done;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no weight_transactions document for trigger ${trigger} within ${timeoutMs} ms`);
}

const fireSchedule = () => fireScheduledFunction({ functionsHost, projectId });

const started = Date.now();
await db.collection('curated_leads').doc('e2e-lead-1').set({
  curated_by: miners[0],
  source: miners[1],
  created_at: Timestamp.now(),
  buyer: 'e2e@example.com',
});
const fromLead = await waitForTransaction('curated_lead');
const leadMs = Date.now() - started;
await fireSchedule();
const fromSchedule = await waitForTransaction('schedule');
console.log(`E2E_RESULT ${JSON.stringify({ fromLead, fromSchedule, leadMs })}`);
await db.terminate();
