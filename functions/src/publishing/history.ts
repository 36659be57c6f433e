/** Reading the audit trail back: the most recent weight transactions, optionally failures only. */
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { TRANSACTIONS_COLLECTION } from './audit';

export interface HistoryQuery {
  limit: number;
  failedOnly?: boolean;
  collection?: string;
}

/** Newest first, as plain JSON (timestamps as ISO strings), with each document's id. */
export async function recentTransactions(
  db: Firestore,
  query: HistoryQuery,
): Promise<Array<Record<string, unknown>>> {
  let q = db.collection(query.collection ?? TRANSACTIONS_COLLECTION).orderBy('ts', 'desc');
  if (query.failedOnly) q = q.where('success', '==', false);
  const snapshot = await q.limit(query.limit).get();
  return snapshot.docs.map((doc) => ({ id: doc.id, ...plain(doc.data()) }));
}

function plain(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [
      key,
      value instanceof Timestamp ? value.toDate().toISOString() : value,
    ]),
  );
}

/** One line per transaction, for terminals; a reveal names its commit, a commit its reveal. */
export function historyLine(tx: Record<string, unknown>): string {
  const block =
    tx.block_number === null || tx.block_number === undefined ? '-' : `#${String(tx.block_number)}`;
  const hash =
    typeof tx.transaction_hash === 'string' ? `${tx.transaction_hash.slice(0, 12)}…` : '-';
  const uids = Array.isArray(tx.uids) ? tx.uids.length : 0;
  const why = tx.success
    ? ''
    : `  ${String(tx.error_code ?? '')}: ${String(tx.error_message ?? '')}`;
  const link =
    typeof tx.commit_transaction === 'string'
      ? `  reveals commit ${tx.commit_transaction}`
      : typeof tx.reveal_status === 'string'
        ? `  reveal ${tx.reveal_status}${tx.revealed_block ? ` #${String(tx.revealed_block)}` : ''}`
        : '';
  // A mechanism other than the subnet's only one is named after the netuid.
  const mechanism =
    typeof tx.mechanism === 'number' && (tx.mechanism > 0 || Number(tx.mechanism_count ?? 1) > 1)
      ? ` mech ${tx.mechanism}`
      : '';
  return `${String(tx.ts)}  it ${String(tx.iteration_count).padStart(4)}  ${String(tx.status).padEnd(12)} ${String(tx.mode ?? 'set_weights').padEnd(17)} netuid ${String(tx.netuid)}${mechanism}  block ${block.padEnd(9)} ${String(uids).padStart(4)} uids  ${hash.padEnd(14)} ${String(tx.trigger)}  ${String(tx.id ?? '')}${why}${link}`;
}

/**
 * The terminal lines of a history, newest first, with a line wherever the chain changed between
 * two records (another genesis: a reset, or another network): blocks above and below it name
 * blocks of different chains.
 */
export function historyLines(transactions: ReadonlyArray<Record<string, unknown>>): string[] {
  const lines: string[] = [];
  let newerGenesis: string | undefined;
  for (const tx of transactions) {
    const genesis = typeof tx.genesis_hash === 'string' ? tx.genesis_hash : undefined;
    if (genesis && newerGenesis && genesis !== newerGenesis)
      lines.push(
        `--- chain changed: the records above are on genesis ${newerGenesis.slice(0, 12)}…, those below on ${genesis.slice(0, 12)}…`,
      );
    if (genesis) newerGenesis = genesis;
    lines.push(historyLine(tx));
  }
  return lines;
}
