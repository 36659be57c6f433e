/**
 * Reconciling attempts whose extrinsic was sent but whose fate is unknown (`unresolved`: the
 * write-ahead `submitting` record of a run that died, or a send that failed or timed out), before
 * a run does anything new. The chain decides, from what every node serves (no historical state):
 *
 * - signed for another chain (another genesis, or a checkpoint block this chain does not have):
 *   `dropped` at once (`ChainReset`), since it can never be included here;
 * - found in a block body of its era: `included` (late, with its block), or `failed` with the
 *   module error's name, from the block's events; when the node no longer has that block's state,
 *   the outcome is inferred from current state (the validator's Weights row) and marked so
 *   (`outcome_inferred`), or recorded as unknown (`OutcomeUnknown`);
 * - not found, with its nonce used by another extrinsic or its era passed: `dropped`;
 * - otherwise it may still land: it is sent again (the same bytes, in case the pool lost it) and
 *   the run sends nothing new.
 *
 * A question the chain cannot answer never blocks for good: once the era has passed, an attempt
 * whose fate cannot be read is closed as `OutcomeUnknown`, with the reason.
 */
import { mechanismStorageIndex } from '../chain/mechanisms';
import type { ApiPromise } from '@polkadot/api';
import {
  FieldValue,
  Timestamp,
  type DocumentSnapshot,
  type Firestore,
} from 'firebase-admin/firestore';
import { withChain } from '../chain/connection';
import { classifyRpcError } from '../chain/errors';
import {
  accountNonce,
  locate,
  neverIncludable,
  outcomeFromEvents,
  weightsRowEquals,
  type SentExtrinsic,
} from '../chain/inclusion';
import { RuntimeItems } from '../chain/runtime-items';
import type { PublishConfig } from '../config/publishing';
import type { Logger } from '../logs/logger';
import * as logs from '../logs/publishing';
import { TRANSACTIONS_COLLECTION } from './audit';

export interface ReconcileRequest {
  db: Firestore;
  config: PublishConfig;
  validator: string;
  log: Logger;
  collection?: string;
}

/** An attempt that may still land. */
export interface StillPending {
  id: string;
  hash: string;
  eraEnd: number;
}

interface Unresolved extends SentExtrinsic {
  id: string;
  hex?: string;
  mode?: string;
  netuid: number;
  /** The subnet mechanism it weighted (absent: 0); its Weights row is at its storage index. */
  mechanism?: number;
  validatorUid?: number;
  /** The uids and u16 values it sent (set_weights), zeros left out as the chain stores them. */
  row: { uids: number[]; values: number[] };
}

function unresolvedOf(doc: DocumentSnapshot): Unresolved {
  const uids = (doc.get('uids') as number[] | undefined) ?? [];
  const values = (doc.get('weights_u16') as number[] | undefined) ?? [];
  const nonZero = uids.flatMap((uid, i) => ((values[i] ?? 0) > 0 ? [[uid, values[i]]] : []));
  const checkpointBlock = doc.get('checkpoint_block') as number | undefined;
  const checkpointHash = doc.get('checkpoint_hash') as string | undefined;
  return {
    id: doc.id,
    hash: String(doc.get('transaction_hash')),
    hex: doc.get('extrinsic_hex') as string | undefined,
    nonce: doc.get('nonce') as number | undefined,
    eraStart: Number(doc.get('era_start') ?? 0),
    eraEnd: Number(doc.get('era_end') ?? 0),
    genesisHash: doc.get('genesis_hash') as string | undefined,
    checkpoint:
      checkpointBlock !== undefined && checkpointHash
        ? { number: checkpointBlock, hash: checkpointHash }
        : undefined,
    mode: doc.get('mode') as string | undefined,
    netuid: Number(doc.get('netuid')),
    mechanism: doc.get('mechanism') as number | undefined,
    validatorUid: doc.get('validator_uid') as number | undefined,
    row: { uids: nonZero.map(([uid]) => uid), values: nonZero.map(([, value]) => value) },
  };
}

/** Settles what the chain can say; returns the attempts that may still land. */
export async function reconcileSubmissions(request: ReconcileRequest): Promise<StillPending[]> {
  const { db, config, validator, log } = request;
  const collection = db.collection(request.collection ?? TRANSACTIONS_COLLECTION);
  const snapshot = await collection
    .where('validator_hotkey', '==', validator)
    .where('unresolved', '==', true)
    .get();
  const open = snapshot.docs.filter((doc) => doc.get('netuid') === config.netuid).map(unresolvedOf);
  if (open.length === 0) return [];
  const stillPending = ({ id, hash, eraEnd }: Unresolved) => ({ id, hash, eraEnd });
  try {
    return await withChain(
      { url: config.endpoint.url, connectTimeoutMs: config.connectTimeoutMs, log },
      async (api) => {
        const items = new RuntimeItems(api);
        const best = (await api.rpc.chain.getHeader()).number.toNumber();
        const pending: StillPending[] = [];
        for (const attempt of open) {
          let fate: Record<string, unknown> | 'pending';
          try {
            fate = await fateOf(api, items, validator, attempt, best);
          } catch (error) {
            // Unanswerable now: it may still land while its era lasts; after that, say so and move on.
            const reason = classifyRpcError(error).message;
            logs.reconcileFailed(log, attempt.id, reason);
            fate = best > attempt.eraEnd ? unknownOutcome(attempt, reason) : 'pending';
          }
          if (fate === 'pending') {
            pending.push(stillPending(attempt));
            continue;
          }
          await collection.doc(attempt.id).update({
            ...fate,
            extrinsic_hex: FieldValue.delete(),
            reconciled_at: Timestamp.now(),
          });
          logs.reconciled(log, attempt.id, attempt.hash, String(fate.status), fate.block_number);
        }
        return pending;
      },
    );
  } catch (error) {
    // No node answers: nothing can be sent either, and every open attempt may still land.
    logs.reconcileDeferred(log, open.length, classifyRpcError(error).message);
    return open.map(stillPending);
  }
}

const resolved = { unresolved: false, retryable: false };

function unknownOutcome(attempt: Unresolved, reason: string): Record<string, unknown> {
  return {
    ...resolved,
    status: 'failed',
    success: false,
    error_code: 'OutcomeUnknown',
    error_message: `its era ended at block ${attempt.eraEnd}, so it can no longer land, but whether it did could not be read: ${reason}`,
  };
}

async function fateOf(
  api: ApiPromise,
  items: RuntimeItems,
  validator: string,
  attempt: Unresolved,
  best: number,
): Promise<Record<string, unknown> | 'pending'> {
  const reset = await neverIncludable(api, attempt);
  if (reset) {
    return {
      ...resolved,
      status: 'dropped',
      success: false,
      error_code: 'ChainReset',
      error_message: `it can never be included: ${reset}`,
    };
  }
  const found = await locate(api, attempt, best);
  if (found) {
    const landed = {
      ...resolved,
      late: true,
      block_number: found.blockNumber,
      block_hash: found.blockHash,
      extrinsic_index: found.extrinsicIndex,
    };
    const events = await outcomeFromEvents(api, items, found);
    if (!events.unavailable) {
      const failed = events.error;
      return {
        ...landed,
        status: failed ? 'failed' : 'included',
        success: !failed,
        error_code: failed?.code ?? null,
        error_message: failed?.message ?? null,
      };
    }
    return {
      ...landed,
      ...(await inferredOutcome(items, attempt, found.blockNumber, events.unavailable)),
    };
  }
  const nonce = attempt.nonce === undefined ? undefined : await accountNonce(items, validator);
  const nonceUsed = nonce !== undefined && attempt.nonce !== undefined && nonce > attempt.nonce;
  if (best > attempt.eraEnd || nonceUsed) {
    return {
      ...resolved,
      status: 'dropped',
      success: false,
      error_code: 'Dropped',
      error_message: nonceUsed
        ? `no block of its era holds the extrinsic, and its nonce ${attempt.nonce} was used by another`
        : `no block of its era (up to ${attempt.eraEnd}) holds the extrinsic`,
    };
  }
  // It may still land: make sure a node has it (the same bytes; a copy in the pool is refused).
  if (attempt.hex) await api.rpc.author.submitExtrinsic(attempt.hex).catch(() => undefined);
  return 'pending';
}

/**
 * The outcome of an extrinsic found in block `block` whose events the node no longer has: for
 * set_weights, success when the validator's Weights row holds what it sent (nothing else of this
 * validator was sent since, while it was unresolved); otherwise unknown. Either way it says so.
 */
async function inferredOutcome(
  items: RuntimeItems,
  attempt: Unresolved,
  block: number,
  unavailable: string,
): Promise<Record<string, unknown>> {
  const why = `the node no longer has block #${block}'s events (${unavailable})`;
  const same =
    attempt.mode === 'set_weights' && attempt.validatorUid !== undefined
      ? await weightsRowEquals(
          items,
          mechanismStorageIndex(attempt.netuid, attempt.mechanism ?? 0),
          attempt.validatorUid,
          attempt.row.uids,
          attempt.row.values,
        )
      : undefined;
  if (same) {
    return {
      status: 'included',
      success: true,
      error_code: null,
      error_message: null,
      outcome_inferred: `${why}; the subnet's Weights row of uid ${attempt.validatorUid} holds exactly what it sent`,
    };
  }
  return {
    status: 'included',
    success: false,
    error_code: 'OutcomeUnknown',
    error_message: `it is in block #${block}, but ${why}, and current state does not show its effect`,
    outcome_inferred: why,
  };
}
