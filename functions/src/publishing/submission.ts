/**
 * Sending one extrinsic with its record written first: sign (nonce, mortal era, hash), let the
 * caller write the `submitting` record (write-ahead), then send and follow it. A retry of the same
 * attempt sends the same signed bytes again, never a new nonce, so at most one of them can land.
 * Landed, the outcome is the chain's (included, or failed with the module error's name); after a
 * transient failure it may still land, so what was sent travels with the failure (SentFailure)
 * and the record stays open for the next run to reconcile.
 */
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import { classifyRpcError } from '../chain/errors';
import type { RuntimeItems } from '../chain/runtime-items';
import { sendAndWatch, sign, type Signed } from '../chain/submit';
import type { PublishConfig } from '../config/publishing';
import { SentFailure, type Outcome, type Timings } from './result';

/** Writes the record of an extrinsic about to be sent; it must exist before the send. */
export type WriteAhead = (pending: Outcome) => Promise<void>;

export interface Delivery {
  api: ApiPromise;
  items: RuntimeItems;
  tx: SubmittableExtrinsic<'promise'>;
  signer: KeyringPair;
  config: PublishConfig;
  /** Everything known before sending; the chain's answer is added to it. */
  sent: Omit<Outcome, 'status' | 'timings'>;
  timings?: Timings;
  writeAhead?: WriteAhead;
  /** A retry: the extrinsic signed (and recorded) by an earlier attempt, sent again as it is. */
  signed?: Signed;
}

/** The chain's answer about a delivered extrinsic, and the signed extrinsic for retries. */
export interface Delivered {
  outcome: Outcome;
  signed: Signed;
}

export async function deliver(delivery: Delivery): Promise<Delivered> {
  const { api, items, config, timings } = delivery;
  const signed = delivery.signed ?? (await sign(api, delivery.tx, delivery.signer));
  const sent = {
    ...delivery.sent,
    extrinsic_hash: signed.hash,
    nonce: signed.nonce,
    era_start: signed.eraStart,
    era_end: signed.eraEnd,
    extrinsic_hex: signed.hex,
  };
  if (!delivery.signed) await delivery.writeAhead?.({ ...sent, status: 'submitting', timings });
  const t1 = Date.now();
  let included;
  try {
    included = await sendAndWatch(api, items, signed, config.waitFor, config.inclusionTimeoutMs);
  } catch (error) {
    const failure = classifyRpcError(error);
    // What was signed travels with the failure into the record, whether refused or timed out.
    throw new SentFailure(failure, sent, signed);
  }
  const blockNumber =
    included.blockNumber ?? (await api.rpc.chain.getHeader(included.blockHash)).number.toNumber();
  const landed = {
    ...sent,
    block_hash: included.blockHash,
    block_number: blockNumber,
    extrinsic_index: included.extrinsicIndex,
    timings: { ...timings, submit_ms: Date.now() - t1 },
  };
  if (included.dispatchError) {
    const { code, message } = included.dispatchError;
    return {
      signed,
      outcome: { ...landed, status: 'failed', error_code: code, reason: message, retryable: false },
    };
  }
  return { signed, outcome: { ...landed, status: included.finalized ? 'finalized' : 'included' } };
}
