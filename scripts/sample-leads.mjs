// Sample curated leads for the demo: the dev accounts //Bob … //Ferdie as miners, created_at in
// each of the shapes real producers write, and a few leads that scoring must skip and report.
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Timestamp } from 'firebase-admin/firestore';

export const SAMPLE_MINER_URIS = ['//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'];
const DAY_MS = 86_400_000;

export async function sampleMinerHotkeys() {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  return SAMPLE_MINER_URIS.map((uri) => keyring.addFromUri(uri).address);
}

/** Lead documents by id, relative to `now` (a Date). */
export async function sampleLeads(now) {
  const miners = await sampleMinerHotkeys();
  const shapes = [
    (ms) => Timestamp.fromMillis(ms),
    (ms) => ms / 1000,
    (ms) => ms,
    (ms) => new Date(ms).toISOString(),
    (ms) => new Date(ms).toISOString().replace('Z', '+00:00'),
    (ms) => new Date(ms).toISOString().replace('Z', ''),
  ];
  const leads = {};
  // 30 leads over the last 29 days; curators and sources rotate at different paces so that
  // the miners end up with different shares.
  for (let i = 0; i < 30; i++) {
    const createdMs = now.getTime() - (i * 29 * DAY_MS) / 30 - 3_600_000;
    leads[`sample-${String(i).padStart(2, '0')}`] = {
      curated_by: miners[(i * i) % miners.length],
      source: miners[Math.floor(i / 7) % miners.length],
      created_at: shapes[i % shapes.length](createdMs),
      buyer_id: `buyer-${i % 4}`,
      email: `contact${i}@example.com`,
    };
  }
  leads['sample-too-old'] = {
    curated_by: miners[0],
    source: miners[0],
    created_at: Timestamp.fromMillis(now.getTime() - 45 * DAY_MS),
  };
  leads['sample-no-source'] = { curated_by: miners[1], created_at: Timestamp.fromDate(now) };
  leads['sample-bad-date'] = { curated_by: miners[2], source: miners[2], created_at: true };
  return leads;
}
