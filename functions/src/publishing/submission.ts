/**
 * Sending one extrinsic with its record written first: sign (nonce, mortal era, hash), let the
 * caller write the `submitting` record (write-ahead), then send and follow it. From the
 * write-ahead on, the decision holds the signed extrinsic: every retry, whatever failed (a
 * refused or dropped connection, a timeout), sends those bytes again, never a new nonce, so at
 * most one of them can land. Landed, the outcome is the chain's (included, or failed with the
 * module error's name); otherwise what was sent goes into the record, which stays open for the
 * next run to reconcile.
 */
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import { ChainFailure, classifyRpcError } from '../chain/errors';
import type { RuntimeItems } from '../chain/runtime-items';
import { blockNumberOf } from '../chain/inclusion';
import { sendAndWatch, sign, type Signed } from '../chain/submit';
import type { PublishConfig } from '../config/publishing';
import type { Outcome, Timings } from './result';

/** Writes the record of an extrinsic about to be sent; it must exist before the send. */
export type WriteAhead = (pending: Outcome) => Promise<void>;

/** What was signed and recorded, in the record's terms. */
export type Known = Omit<Outcome, 'status' | 'timings'>;

/**
 * One decision to send: empty until its extrinsic is signed and its record written, then that
 * extrinsic for good. Every attempt of the decision (in this run) goes through it, so a retry
 * cannot sign again, and the outcome of a failure still names what was sent.
 */
export class Decision {
  sent?: { signed: Signed; known: Known };
}

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
  /** The decision this delivery serves: a retry sends what it holds, as it is. */
  decision: Decision;
}

export async function deliver(delivery: Delivery): Promise<Outcome> {
  const { api, items, config, timings, decision } = delivery;
  if (!decision.sent) {
    const signed = await sign(api, delivery.tx, delivery.signer);
    const known: Known = {
      ...delivery.sent,
      // Not its block: the block the state was read at. The block is known once it lands.
      block_number: undefined,
      block_hash: undefined,
      extrinsic_hash: signed.hash,
      nonce: signed.nonce,
      era_start: signed.eraStart,
      era_end: signed.eraEnd,
      genesis_hash: signed.genesisHash,
      checkpoint_block: signed.checkpoint.number,
      checkpoint_hash: signed.checkpoint.hash,
      extrinsic_hex: signed.hex,
    };
    await delivery.writeAhead?.({ ...known, status: 'submitting', timings });
    decision.sent = { signed, known };
  }
  const { signed, known: sent } = decision.sent;
  const t1 = Date.now();
  let included;
  let blockNumber;
  try {
    included = await sendAndWatch(api, items, signed, config.waitFor, config.inclusionTimeoutMs);
    blockNumber = included.blockNumber ?? (await blockNumberOf(api, included.blockHash));
  } catch (error) {
    const failure = classifyRpcError(error);
    // Once sent, only the node's refusal is a verdict on the extrinsic. Any other error (its
    // block's events gone from a pruning node, say) leaves its fate unknown: retried with the
    // same bytes, then reconciled, never closed as failed.
    if (failure.kind === 'refused' || failure.retryable) throw failure;
    throw new ChainFailure(
      'unknown',
      'OutcomeUnknown',
      `sent, but its fate could not be read: ${failure.message}`,
    );
  }
  const landed = {
    ...sent,
    block_hash: included.blockHash,
    block_number: blockNumber,
    extrinsic_index: included.extrinsicIndex,
    timings: { ...timings, submit_ms: Date.now() - t1 },
  };
  if (included.dispatchError) {
    const { code, message } = included.dispatchError;
    return { ...landed, status: 'failed', error_code: code, reason: message, retryable: false };
  }
  return { ...landed, status: included.finalized ? 'finalized' : 'included' };
}
