// Runs inside `firebase emulators:exec` for `npm start`: loads the sample leads (each curated lead
// fires the trigger; together they make one publish), then prints every weight_transactions
// document as it is written, until Ctrl-C.
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { sampleLeads } from './sample-leads.mjs';

const projectId = process.env.GCLOUD_PROJECT;
const db = getFirestore(initializeApp({ projectId }));
const leads = await sampleLeads(new Date());
const batch = db.batch();
for (const [id, lead] of Object.entries(leads))
  batch.set(db.collection('curated_leads').doc(id), lead);
await batch.commit();
console.log(
  `\nLoaded ${Object.keys(leads).length} sample curated leads: the triggers request one publish.`,
);

const seen = new Set();
db.collection('weight_transactions')
  .orderBy('ts', 'asc')
  .onSnapshot((snapshot) => {
    for (const doc of snapshot.docs) {
      if (seen.has(doc.id)) continue;
      seen.add(doc.id);
      const t = doc.data();
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
In another terminal:
  npm run lead                 write one more curated lead (a new publish once the rate limit allows)
  npx weights history          the audit trail (FIRESTORE_EMULATOR_HOST=127.0.0.1:8080)
Ctrl-C stops everything.`);
await new Promise(() => undefined);
