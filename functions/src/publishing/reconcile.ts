/**
 * Reconciling attempts whose extrinsic was sent but whose fate is unknown (`unresolved`: the
 * write-ahead `submitting` record of a run that died, or a send that timed out), before a run does
 * anything new. The chain decides: the extrinsic found in a block of its era makes the record
 * `included` (late, with its block and the outcome its events give), or `failed` with the module
 * error's name; a nonce used by another extrinsic, or an era passed with no block holding it,
 * makes it `dropped`. Until then it may still land: it is sent again (the same bytes, in case the
 * pool lost it) and the run sends nothing new.
 */
import type { ApiPromise } from '@polkadot/api';
import { FieldValue, Timestamp, type Firestore } from 'firebase-admin/firestore';
import { withChain } from '../chain/connection';
import { classifyRpcError } from '../chain/errors';
import { RuntimeItems } from '../chain/runtime-items';
import { findExtrinsic } from '../chain/submit';
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

interface Unresolved {
  id: string;
  hash: string;
  hex?: string;
  nonce?: number;
  eraStart: number;
  eraEnd: number;
}

/** Settles what the chain can say; returns the attempts that may still land. */
export async function reconcileSubmissions(request: ReconcileRequest): Promise<StillPending[]> {
  const { db, config, validator, log } = request;
  const collection = db.collection(request.collection ?? TRANSACTIONS_COLLECTION);
  const snapshot = await collection
    .where('validator_hotkey', '==', validator)
    .where('unresolved', '==', true)
    .get();
  const open: Unresolved[] = snapshot.docs
    .filter((doc) => doc.get('netuid') === config.netuid)
    .map((doc) => ({
      id: doc.id,
      hash: String(doc.get('transaction_hash')),
      hex: doc.get('extrinsic_hex') as string | undefined,
      nonce: doc.get('nonce') as number | undefined,
      eraStart: Number(doc.get('era_start') ?? 0),
      eraEnd: Number(doc.get('era_end') ?? 0),
    }));
  if (open.length === 0) return [];
  try {
    return await withChain(
      { url: config.endpoint.url, connectTimeoutMs: config.connectTimeoutMs, log },
      async (api) => {
        const pending: StillPending[] = [];
        for (const attempt of open) {
          const fate = await fateOf(api, validator, attempt);
          if (fate === 'pending') {
            pending.push({ id: attempt.id, hash: attempt.hash, eraEnd: attempt.eraEnd });
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
    // The chain cannot say now: every open attempt may still land.
    logs.reconcileDeferred(log, open.length, classifyRpcError(error).message);
    return open.map(({ id, hash, eraEnd }) => ({ id, hash, eraEnd }));
  }
}

async function fateOf(
  api: ApiPromise,
  validator: string,
  attempt: Unresolved,
): Promise<Record<string, unknown> | 'pending'> {
  const items = new RuntimeItems(api);
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  const found = await findExtrinsic(api, items, attempt, best);
  if (found) {
    const failed = found.dispatchError;
    return {
      status: failed ? 'failed' : 'included',
      success: !failed,
      unresolved: false,
      late: true,
      block_number: found.blockNumber ?? null,
      block_hash: found.blockHash,
      extrinsic_index: found.extrinsicIndex ?? null,
      error_code: failed?.code ?? null,
      error_message: failed?.message ?? null,
      retryable: false,
    };
  }
  const account = items.optionalStorage('System.Account');
  const nonceUsed =
    account && attempt.nonce !== undefined
      ? Number(((await account(validator)).toJSON() as { nonce?: number }).nonce ?? 0) >
        attempt.nonce
      : false;
  if (best > attempt.eraEnd || nonceUsed) {
    return {
      status: 'dropped',
      success: false,
      unresolved: false,
      error_code: 'Dropped',
      error_message: nonceUsed
        ? `no block of its era holds the extrinsic, and its nonce ${attempt.nonce} was used by another`
        : `no block of its era (up to ${attempt.eraEnd}) holds the extrinsic`,
      retryable: false,
    };
  }
  // It may still land: make sure a node has it (the same bytes; a copy in the pool is refused).
  if (attempt.hex) await api.rpc.author.submitExtrinsic(attempt.hex).catch(() => undefined);
  return 'pending';
}
