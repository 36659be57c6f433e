// The exactly-once invariant, checked from outside: every extrinsic of the validator on chain (as
// an independent scan finds them) has exactly one weight_transactions document with its hash
// (`transaction_hash`) and its block (`block_number`); nothing is left unresolved; and every
// publish request was served by a publish that landed after it.
import type { Firestore } from 'firebase-admin/firestore';
import type { ChainScan } from './chain-scan';

export interface PublishRequest {
  /** When the request was made (ms): a lead written, a schedule tick, a task enqueued. */
  atMs: number;
  label: string;
}

export interface InvariantReport {
  /** The validator's extrinsics on chain. */
  onChain: number;
  /** Of them, those with exactly one record with their hash and block. */
  recorded: number;
  /** Records that name an extrinsic hash. */
  recordsWithHash: number;
  /** Records whose fate is still unknown (`unresolved`, or a bare `submitting`). */
  unresolved: number;
  requests: { published: number; total: number };
  /** What breaks the invariant, one line each (empty when it holds). */
  problems: string[];
  /** The invariant holds, nothing is unresolved and every request was published. */
  ok: boolean;
  /** Every record, briefly (id, status, error_code, hash, block), for a failure message. */
  records: RecordSummary[];
}

export interface RecordSummary {
  id: string;
  status: string;
  error_code: string | null;
  error_message: string | null;
  transaction_hash: string | null;
  block_number: number | null;
  unresolved: boolean;
  trigger: string | null;
  startedAtMs: number;
}

const short = (hash: string) => `${hash.slice(0, 10)}…`;

export async function checkExactlyOnce(input: {
  db: Firestore;
  scan: ChainScan;
  validator: string;
  requests?: PublishRequest[];
  collection?: string;
}): Promise<InvariantReport> {
  const { db, scan, validator, requests = [] } = input;
  const snapshot = await db
    .collection(input.collection ?? 'weight_transactions')
    .where('validator_hotkey', '==', validator)
    .get();
  const records: RecordSummary[] = snapshot.docs.map((doc) => {
    const d = doc.data();
    const ts = d.ts?.toMillis?.() ?? 0;
    return {
      id: doc.id,
      status: String(d.status),
      error_code: d.error_code ?? null,
      error_message: d.error_message ?? null,
      transaction_hash: d.transaction_hash ?? null,
      block_number: d.block_number ?? null,
      unresolved: d.unresolved === true || d.status === 'submitting',
      trigger: d.trigger ?? null,
      startedAtMs: ts - Number(d.durations?.run_ms ?? 0),
    };
  });
  const problems: string[] = [];
  let recorded = 0;
  const onChainHashes = new Set(scan.extrinsics.map((e) => e.hash));
  for (const extrinsic of scan.extrinsics) {
    const withHash = records.filter((r) => r.transaction_hash === extrinsic.hash);
    const where = `${short(extrinsic.hash)} (block ${extrinsic.blockNumber}, nonce ${extrinsic.nonce}, ${extrinsic.call})`;
    if (withHash.length === 0) problems.push(`${where}: on chain, no record`);
    else if (withHash.length > 1)
      problems.push(
        `${where}: ${withHash.length} records (${withHash.map((r) => r.id).join(', ')})`,
      );
    else if (withHash[0].block_number !== extrinsic.blockNumber)
      problems.push(
        `${where}: record ${withHash[0].id} (${withHash[0].status}) says block ${withHash[0].block_number}`,
      );
    else recorded += 1;
  }
  // A record that places its extrinsic in a block of this chain that does not hold it.
  for (const record of records) {
    if (record.transaction_hash === null || record.block_number === null) continue;
    if (onChainHashes.has(record.transaction_hash)) continue;
    if (record.block_number <= scan.best)
      problems.push(
        `record ${record.id} (${record.status}) places ${short(record.transaction_hash)} in block ${record.block_number}, which does not hold it`,
      );
  }
  const unresolved = records.filter((r) => r.unresolved);
  for (const record of unresolved)
    problems.push(
      `record ${record.id} unresolved (${record.status}${record.error_code ? `, ${record.error_code}` : ''})`,
    );
  // A request is published by a publish that started after it and landed (its extrinsic on chain).
  const landed = records.filter(
    (r) => r.transaction_hash !== null && onChainHashes.has(r.transaction_hash),
  );
  const published = requests.filter((request) => landed.some((r) => r.startedAtMs >= request.atMs));
  for (const request of requests)
    if (!published.includes(request))
      problems.push(`request ${request.label} not published by any landed extrinsic`);
  return {
    onChain: scan.extrinsics.length,
    recorded,
    recordsWithHash: records.filter((r) => r.transaction_hash !== null).length,
    unresolved: unresolved.length,
    requests: { published: published.length, total: requests.length },
    problems,
    ok: problems.length === 0,
    records,
  };
}

/** The one-line figure a scenario prints. */
export function reportLine(scenario: string, seconds: number | null, report: InvariantReport) {
  const time = seconds === null ? 'NOT recovered' : `recovered in ${seconds.toFixed(1)} s`;
  return `exactly-once: ${scenario}: ${time}; on chain ${report.onChain}, recorded ${report.recorded}, unresolved ${report.unresolved}, requests published ${report.requests.published}/${report.requests.total}`;
}
