/**
 * The audit trail: one `weight_transactions` document per publish attempt, success or not, with
 * what was scored, what was sent and what the chain said, so weight history can be proven and
 * queried after any restart. `iteration_count` grows by one per attempt of a validator, in the
 * same transaction as the document, so it never skips or repeats.
 */
import { Timestamp, type DocumentData, type Firestore } from 'firebase-admin/firestore';
import type { ScoringResult } from '../scoring/calculate-weights';
import { STATE_COLLECTION } from '../state/publisher';
import type { PublishResult } from './result';
import { withoutUndefined } from './firestore-data';

export const TRANSACTIONS_COLLECTION = 'weight_transactions';
const ITERATIONS_DOC = 'iterations';
/**
 * Unregistered hotkeys a record lists (`unregistered_hotkeys`, the first in scoring order);
 * `unregistered_count` counts all of them. Leads may name any number of hotkeys: the record keeps
 * the registered allocation whole and stays far under Firestore's 1 MiB whatever they name.
 */
export const UNREGISTERED_LISTED = 100;
/** Longest error_message stored (a message may quote hostile text). */
export const ERROR_MESSAGE_MAX = 2000;

export type TriggerKind = 'curated_lead' | 'schedule' | 'task' | 'cli';

export interface AttemptInput {
  result: PublishResult;
  scoring?: ScoringResult;
  trigger: { kind: TriggerKind; ref?: string };
  startedAtMs: number;
  finishedAtMs: number;
  /** For a reveal: the weight_transactions document of its commit. */
  commitTransaction?: string;
}

/** The document for an attempt, in the Python validator's snake_case, stored natively. */
export function transactionDocument(input: AttemptInput, iteration: number): DocumentData {
  const { result, scoring, trigger } = input;
  // The stored layout: parallel uids / u16 values, and uid → share and uid → hotkey for the uids
  // sent whose hotkey scored.
  const scored = result.allocation.flatMap(({ uid, hotkey, share }) =>
    hotkey === undefined ? [] : [{ uid: String(uid), hotkey, share }],
  );
  const success = result.status === 'included' || result.status === 'finalized';
  return withoutUndefined({
    ts: Timestamp.fromMillis(input.finishedAtMs),
    status: result.status,
    success,
    iteration_count: iteration,
    netuid: result.netuid,
    network: result.network,
    endpoint: result.endpoint,
    mode: result.mode,
    mechanism: result.mechanism,
    mechanism_count: result.mechanism_count,
    emission_split: result.emission_split,
    validator_hotkey: result.validator_hotkey,
    validator_uid: result.validator_uid,
    block_number: result.block_number ?? null,
    block_hash: result.block_hash ?? null,
    transaction_hash: result.extrinsic_hash ?? null,
    extrinsic_index: result.extrinsic_index ?? null,
    nonce: result.nonce,
    era_start: result.era_start,
    era_end: result.era_end,
    genesis_hash: result.genesis_hash,
    checkpoint_block: result.checkpoint_block,
    checkpoint_hash: result.checkpoint_hash,
    extrinsic_hex: unresolved(result) ? result.extrinsic_hex : undefined,
    // Sent, and not known to have landed or been dropped: the next run reconciles it.
    unresolved: unresolved(result),
    uids: result.allocation.map((row) => row.uid),
    weights: Object.fromEntries(scored.map((row) => [row.uid, row.share])),
    weights_u16: result.allocation.map((row) => row.u16),
    uid_hotkeys: Object.fromEntries(scored.map((row) => [row.uid, row.hotkey])),
    version_key: result.version_key,
    spec_version: result.spec_version,
    total_weight: scoring?.stats.total_share ?? 0,
    num_miners: scoring?.stats.total_miners ?? 0,
    unregistered_hotkeys: result.unregistered_hotkeys.slice(0, UNREGISTERED_LISTED),
    unregistered_count: result.unregistered_hotkeys.length,
    error_code: result.error_code ?? null,
    error_message:
      result.reason === undefined
        ? null
        : result.reason.length > ERROR_MESSAGE_MAX
          ? `${result.reason.slice(0, ERROR_MESSAGE_MAX)}…`
          : result.reason,
    retryable: result.retryable,
    next_allowed_block: result.next_allowed_block,
    eta_seconds: result.eta_seconds,
    attempts: result.attempts,
    commit_id: result.commit_id,
    reveal_epoch: result.reveal_epoch,
    first_reveal_block: result.first_reveal_block,
    last_reveal_block: result.last_reveal_block,
    reveal_round: result.reveal_round,
    commit_transaction: input.commitTransaction,
    reassigned_uids: result.reassigned_uids,
    trigger: trigger.kind,
    trigger_ref: trigger.ref ?? null,
    leads: scoring
      ? { counted: scoring.leads.counted, read: scoring.leads.read, skipped: scoring.leads.skipped }
      : undefined,
    window: scoring?.window,
    // How scoring counted (rollups, full_scan, mixed), and why it read the leads when it fell back.
    method: scoring?.method,
    fallback: scoring?.fallback,
    durations: { ...result.timings, run_ms: input.finishedAtMs - input.startedAtMs },
  });
}

/** Writes the attempt and advances the validator's iteration count, atomically. */
/** A result whose extrinsic was sent but whose fate is unknown: in flight, or timed out. */
export function unresolved(result: Pick<PublishResult, 'status' | 'retryable' | 'extrinsic_hash'>) {
  return (
    result.status === 'submitting' ||
    (result.status === 'failed' && result.retryable === true && result.extrinsic_hash !== undefined)
  );
}

/**
 * What a record says was sent. Written once, with the write-ahead: completing the record merges
 * the outcome into it and never erases these, whatever the outcome lacks.
 */
const SENT_FIELDS = {
  transaction_hash: 'extrinsic_hash',
  nonce: 'nonce',
  era_start: 'era_start',
  era_end: 'era_end',
  genesis_hash: 'genesis_hash',
  checkpoint_block: 'checkpoint_block',
  checkpoint_hash: 'checkpoint_hash',
  extrinsic_hex: 'extrinsic_hex',
} as const satisfies Record<string, keyof PublishResult>;

/** The result with what its record already says was sent, where the result does not say it. */
function withSentFields(result: PublishResult, stored: DocumentData | undefined): PublishResult {
  if (!stored) return result;
  const merged: Record<string, unknown> = { ...result };
  for (const [field, key] of Object.entries(SENT_FIELDS)) {
    if (merged[key] === undefined && stored[field] !== undefined && stored[field] !== null)
      merged[key] = stored[field];
  }
  return merged as unknown as PublishResult;
}

/**
 * Writes the attempt and advances the validator's iteration count, atomically. With `id`, the
 * attempt's write-ahead record is completed instead: same document, same iteration, and what it
 * says was sent is kept (so an outcome that lacks it still leaves the record open to reconcile).
 */
export async function recordAttempt(
  db: Firestore,
  input: AttemptInput,
  collection = TRANSACTIONS_COLLECTION,
  id?: string,
): Promise<{ id: string; iteration_count: number; document: DocumentData }> {
  const counter = db.collection(STATE_COLLECTION).doc(ITERATIONS_DOC);
  const doc = id ? db.collection(collection).doc(id) : db.collection(collection).doc();
  const field = input.result.validator_hotkey;
  const document = await db.runTransaction(async (tx) => {
    if (id) {
      const stored = (await tx.get(doc)).data();
      const result = withSentFields(input.result, stored);
      const written = transactionDocument({ ...input, result }, Number(stored?.iteration_count));
      tx.set(doc, written);
      return written;
    }
    const current = Number((await tx.get(counter)).get(field) ?? 0);
    const written = transactionDocument(input, current + 1);
    tx.set(counter, { [field]: current + 1 }, { merge: true });
    tx.create(doc, written);
    return written;
  });
  return { id: doc.id, iteration_count: document.iteration_count as number, document };
}
