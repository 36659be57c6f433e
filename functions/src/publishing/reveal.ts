/**
 * Following commits up. A hash commit is revealed by this run when the chain is inside its reveal
 * epoch (never before, never after: a missed window is recorded as a failure); a timelocked commit
 * is revealed by the chain, and once its epoch has come this run checks that the weights the chain
 * applied are the committed ones and links the reveal to the commit.
 */
import type { ApiPromise } from '@polkadot/api';
import type { Firestore } from 'firebase-admin/firestore';
import { RuntimeItems } from '../chain/runtime-items';
import { submitAndWatch } from '../chain/submit';
import type { Logger } from '../logs/logger';
import * as logs from '../logs/publishing';
import { openCommits, updateCommit, type PendingCommit } from './commits';
import type { PublishRequest } from './publish';
import type { Outcome, PublishResult } from './result';
import { withRetries } from './retries';

export interface FollowUp {
  commit: PendingCommit;
  /** The reveal attempt to record (hash commits), or undefined when there was nothing to send. */
  result?: PublishResult;
  /** What became of the commit in this run. */
  outcome: 'waiting' | 'revealed' | 'missed' | 'failed';
}

export async function followUpCommits(
  request: Pick<PublishRequest, 'config' | 'signer' | 'log' | 'sleep'> & { db: Firestore },
): Promise<FollowUp[]> {
  const { db, config, signer, log } = request;
  const followUps: FollowUp[] = [];
  for (const commit of await openCommits(db, signer.address, config.netuid)) {
    const result = await withRetries(request, 'reveal', (api) =>
      commit.kind === 'hash' ? revealHash(api, commit, request) : observeTimelocked(api, commit),
    );
    const outcome = outcomeOf(result);
    await settle(db, log, commit, outcome, result);
    if (outcome === 'waiting') continue;
    // A timelocked reveal is the chain's, not an attempt of ours: only its absence is recorded.
    const recorded = commit.kind === 'hash' || outcome === 'missed' ? result : undefined;
    followUps.push({ commit, outcome, result: recorded });
  }
  return followUps;
}

/**
 * What a follow-up found: revealed when it landed (or was seen applied), waiting while the window
 * has not opened or after a transient failure (the next run tries again), missed when the window
 * passed, failed when the chain refused the reveal.
 */
function outcomeOf(result: PublishResult): FollowUp['outcome'] {
  if (result.status === 'included' || result.status === 'finalized') return 'revealed';
  if (result.status !== 'failed' || result.retryable) return 'waiting';
  return MISSED.has(result.error_code ?? '') ? 'missed' : 'failed';
}

const MISSED = new Set(['RevealWindowMissed', 'RevealNotObserved']);

async function settle(
  db: Firestore,
  log: Logger,
  commit: PendingCommit,
  outcome: FollowUp['outcome'],
  result: PublishResult,
): Promise<void> {
  if (outcome === 'revealed') {
    logs.revealed(log, commit.id, result.block_number);
    await updateCommit(db, commit.id, { status: 'revealed', revealed_block: result.block_number });
  } else if (outcome === 'missed' || outcome === 'failed') {
    logs.revealMissed(log, commit.id, result.reason ?? outcome);
    await updateCommit(db, commit.id, {
      status: outcome === 'missed' ? 'missed' : 'failed',
      reason: result.reason,
    });
  }
}

const committedFields = (commit: PendingCommit) => ({
  allocation: commit.uids.map((uid, i) => ({ uid, share: 0, u16: commit.values[i] })),
  unregistered_hotkeys: [],
  version_key: commit.version_key,
  commit_id: commit.id,
  reveal_epoch: commit.reveal_epoch,
  first_reveal_block: commit.first_reveal_block,
  last_reveal_block: commit.last_reveal_block,
  reveal_round: commit.reveal_round,
});

/** Sends a hash commit's reveal if the chain is inside its window. */
async function revealHash(
  api: ApiPromise,
  commit: PendingCommit,
  request: Pick<PublishRequest, 'config' | 'signer'>,
): Promise<Outcome> {
  const { config, signer } = request;
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  // The reveal lands in the next block at the earliest.
  const next = best + 1;
  const base = { ...committedFields(commit), mode: 'reveal' as const, block_number: best };
  if (next < commit.first_reveal_block) {
    return {
      ...base,
      status: 'skipped',
      error_code: 'RevealNotYet',
      reason: `the reveal window opens at block ${commit.first_reveal_block}`,
    };
  }
  if (next > commit.last_reveal_block) {
    return {
      ...base,
      status: 'failed',
      error_code: 'RevealWindowMissed',
      reason: `the reveal window (blocks ${commit.first_reveal_block}–${commit.last_reveal_block}) passed before a run could reveal`,
      retryable: false,
    };
  }
  const tx = new RuntimeItems(api).call('SubtensorModule.reveal_weights')(
    config.netuid,
    commit.uids,
    commit.values,
    commit.salt ?? [],
    BigInt(commit.version_key),
  );
  const included = await submitAndWatch(api, tx, signer, config.waitFor, config.inclusionTimeoutMs);
  const blockNumber =
    included.blockNumber ?? (await api.rpc.chain.getHeader(included.blockHash)).number.toNumber();
  const landed = {
    ...base,
    block_number: blockNumber,
    block_hash: included.blockHash,
    extrinsic_hash: included.extrinsicHash,
    extrinsic_index: included.extrinsicIndex,
  };
  if (included.dispatchError) {
    return {
      ...landed,
      status: 'failed',
      error_code: included.dispatchError.code,
      reason: included.dispatchError.message,
      retryable: false,
    };
  }
  return { ...landed, status: included.finalized ? 'finalized' : 'included' };
}

/**
 * Once the reveal epoch has come, the chain has applied a timelocked commit if the validator's
 * Weights row holds the committed values and LastUpdate is in the window (the block of the
 * reveal). One epoch after the window without that, the reveal is counted as missed.
 */
async function observeTimelocked(api: ApiPromise, commit: PendingCommit): Promise<Outcome> {
  const items = new RuntimeItems(api);
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  const base = { ...committedFields(commit), mode: 'reveal' as const, block_number: best };
  if (best < commit.first_reveal_block)
    return { ...base, status: 'skipped', error_code: 'RevealNotYet' };
  const weights = items.storage('SubtensorModule.Weights');
  const lastUpdate = items.optionalStorage('SubtensorModule.LastUpdate');
  const uid = await items.storage('SubtensorModule.Uids')(commit.netuid, commit.hotkey);
  const uidValue = (uid as unknown as { isSome: boolean; unwrap(): { toNumber(): number } }).isSome
    ? (uid as unknown as { unwrap(): { toNumber(): number } }).unwrap().toNumber()
    : undefined;
  if (uidValue !== undefined) {
    type Query = Parameters<typeof api.queryMulti>[0][number];
    const [row, lastUpdated] = await api.queryMulti([
      [weights, [commit.netuid, uidValue]] as Query,
      // Without LastUpdate, the row alone says the reveal happened, and the best block stands for when.
      ...(lastUpdate ? [[lastUpdate, commit.netuid] as Query] : []),
    ]);
    const applied = (row.toJSON() as Array<[number, number]>) ?? [];
    const at = lastUpdated
      ? Number(((lastUpdated.toJSON() as number[] | null) ?? [])[uidValue] ?? 0)
      : best;
    const same =
      applied.length === commit.uids.length &&
      applied.every(([u, v], i) => u === commit.uids[i] && v === commit.values[i]);
    if (same && at >= commit.first_reveal_block) {
      return { ...base, block_number: at, status: 'included' };
    }
  }
  const span = commit.last_reveal_block - commit.first_reveal_block + 1;
  if (best > commit.last_reveal_block + span) {
    return {
      ...base,
      status: 'failed',
      error_code: 'RevealNotObserved',
      reason: `the chain did not apply the timelocked commit in its reveal epoch (blocks ${commit.first_reveal_block}–${commit.last_reveal_block})`,
      retryable: false,
    };
  }
  return { ...base, status: 'skipped', error_code: 'RevealPending' };
}
