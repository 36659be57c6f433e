/**
 * Sending the built extrinsic and reading its fate: landed (included or finalized), or failed with
 * the chain's error name. A commit is settled with it: `committed` with its block, or `failed`
 * when the chain refused it. After a timeout it may still land, so it stays open.
 */
import type { ApiPromise } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { classifyRpcError } from '../chain/errors';
import type { SubnetState } from '../chain/subnet-state';
import { submitAndWatch } from '../chain/submit';
import type { PublishConfig } from '../config/publishing';
import { updateCommit } from './commits';
import type { Built } from './extrinsic';
import { SentFailure, type Outcome, type Timings } from './result';

export interface Submission {
  api: ApiPromise;
  built: Built;
  signer: KeyringPair;
  config: PublishConfig;
  /** The rules that say when weights may be sent again. */
  subnet: Pick<SubnetState, 'weightsSetRateLimit' | 'blockSeconds'>;
  /** Everything known before sending; the chain's answer is added to it. */
  sent: Omit<Outcome, 'status' | 'timings'>;
  timings: Timings;
}

export async function submit(submission: Submission): Promise<Outcome> {
  const { api, built, signer, config, subnet, sent, timings } = submission;
  const t1 = Date.now();
  let included;
  try {
    included = await submitAndWatch(
      api,
      built.tx,
      signer,
      config.waitFor,
      config.inclusionTimeoutMs,
    );
  } catch (error) {
    const failure = classifyRpcError(error);
    // A refusal means the commit never happened; after a timeout it may still land, so it stays open.
    if (built.commit && !failure.retryable)
      await updateCommit(built.commit.db, built.commit.id, {
        status: 'failed',
        reason: failure.message,
      });
    if (!failure.retryable) throw failure;
    const signed = built.tx.isSigned ? { extrinsic_hash: built.tx.hash.toHex() } : {};
    throw new SentFailure(failure, { ...sent, ...built.fields, ...signed });
  }
  const blockNumber =
    included.blockNumber ?? (await api.rpc.chain.getHeader(included.blockHash)).number.toNumber();
  const landed = {
    ...sent,
    ...built.fields,
    block_hash: included.blockHash,
    block_number: blockNumber,
    extrinsic_hash: included.extrinsicHash,
    extrinsic_index: included.extrinsicIndex,
    timings: { ...timings, submit_ms: Date.now() - t1 },
  };
  if (included.dispatchError) {
    if (built.commit)
      await updateCommit(built.commit.db, built.commit.id, {
        status: 'failed',
        reason: included.dispatchError.code,
      });
    return {
      ...landed,
      status: 'failed',
      error_code: included.dispatchError.code,
      reason: included.dispatchError.message,
      retryable: false,
    };
  }
  if (built.commit)
    await updateCommit(built.commit.db, built.commit.id, {
      status: 'committed',
      commit_block: blockNumber,
    });
  // The next set_weights (or commit) is allowed a rate limit after this block.
  return {
    ...landed,
    status: included.finalized ? 'finalized' : 'included',
    next_allowed_block: blockNumber + subnet.weightsSetRateLimit,
    eta_seconds: subnet.weightsSetRateLimit * subnet.blockSeconds,
  };
}
