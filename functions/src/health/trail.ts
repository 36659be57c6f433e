/**
 * What the audit trail (weight_transactions) says about publishing: the last attempt that landed,
 * the failures since, a reveal recorded as missed, and write-ahead records still unresolved. Two
 * queries on single fields (ts, unresolved): no composite index.
 */
import { Timestamp, type DocumentData, type Firestore } from 'firebase-admin/firestore';
import { TRANSACTIONS_COLLECTION } from '../publishing/audit';
import type { TrailHealth } from './evaluate';

/** How many recent records are read: enough for any failure count worth warning about. */
const RECENT = 100;
const FAILED = new Set(['failed', 'dropped']);
const LANDED = new Set(['included', 'finalized']);

const iso = (value: unknown) =>
  value instanceof Timestamp ? value.toDate().toISOString() : String(value ?? '');

/** A hotkey as the records store it: an SS58 address (never `unknown`, a refused secret). */
const isAddress = (value: unknown): value is string =>
  typeof value === 'string' && /^[1-9A-HJ-NP-Za-km-z]{46,48}$/.test(value);

export async function readTrailHealth(
  db: Firestore,
  netuid: number,
  collection = TRANSACTIONS_COLLECTION,
): Promise<TrailHealth> {
  const [recent, unresolved] = await Promise.all([
    db.collection(collection).orderBy('ts', 'desc').limit(RECENT).get(),
    db.collection(collection).where('unresolved', '==', true).limit(20).get(),
  ]);
  const docs = recent.docs
    .map((doc) => ({ id: doc.id, data: doc.data() as DocumentData }))
    .filter(({ data }) => Number(data.netuid) === netuid);
  const trail: TrailHealth = { failures: [], unresolved: [] };
  trail.validator = docs.map(({ data }) => data.validator_hotkey).find(isAddress);
  const first = docs[0];
  if (first)
    trail.lastAttempt = { id: first.id, ts: iso(first.data.ts), status: String(first.data.status) };
  for (const { id, data } of docs) {
    const status = String(data.status);
    if (LANDED.has(status)) {
      trail.lastLanded = {
        id,
        ts: iso(data.ts),
        block_number: typeof data.block_number === 'number' ? data.block_number : undefined,
        mode: typeof data.mode === 'string' ? data.mode : undefined,
      };
      break;
    }
    if (!FAILED.has(status)) continue;
    const code = String(data.error_code ?? status);
    trail.failures.push({ id, ts: iso(data.ts), code });
    if (code === 'RevealWindowMissed' && !trail.revealMissed)
      trail.revealMissed = { id, ts: iso(data.ts) };
  }
  trail.unresolved = unresolved.docs
    .filter((doc) => Number(doc.get('netuid')) === netuid)
    .map((doc) => ({
      id: doc.id,
      ts: iso(doc.get('ts')),
      era_end: typeof doc.get('era_end') === 'number' ? (doc.get('era_end') as number) : undefined,
    }))
    .sort((a, b) => (a.ts < b.ts ? 1 : -1));
  return trail;
}
