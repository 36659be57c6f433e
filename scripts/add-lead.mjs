// `npm run lead`: writes one curated lead into the running demo's Firestore emulator, curated by
// and sourced from random demo miners, as a lead producer would.
import { initializeApp } from 'firebase-admin/app';
import { getFirestore, Timestamp } from 'firebase-admin/firestore';
import { sampleMinerHotkeys } from './sample-leads.mjs';

process.env.FIRESTORE_EMULATOR_HOST ??= '127.0.0.1:8080';
process.env.METADATA_SERVER_DETECTION ??= 'none';
const db = getFirestore(
  initializeApp({ projectId: process.env.GCLOUD_PROJECT ?? 'demo-lead-weights' }),
);
const miners = await sampleMinerHotkeys();
const pick = () => miners[Math.floor(Math.random() * miners.length)];
const ref = await db
  .collection('curated_leads')
  .add({ curated_by: pick(), source: pick(), created_at: Timestamp.now() });
console.log(`curated_leads/${ref.id} written`);
await db.terminate();
