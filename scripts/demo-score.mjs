// Runs inside `firebase emulators:exec`: loads the sample leads into the Firestore emulator, then
// scores them with the `weights` command line, as an operator would.
import { createRequire } from 'node:module';
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { sampleLeads } from './sample-leads.mjs';

const require = createRequire(import.meta.url);
const { run } = require('../functions/lib/cli/main.js');

const projectId = process.env.GCLOUD_PROJECT;
const db = getFirestore(initializeApp({ projectId }));
const batch = db.batch();
const leads = await sampleLeads(new Date());
for (const [id, lead] of Object.entries(leads))
  batch.set(db.collection('curated_leads').doc(id), lead);
await batch.commit();
await db.terminate();
console.log(`Loaded ${Object.keys(leads).length} sample leads into curated_leads\n`);
console.log('$ npx weights score');
process.exitCode = await run(['score', '--project', projectId]);
