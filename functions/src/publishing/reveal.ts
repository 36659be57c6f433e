/**
 * Following commits up. A commit still `committing` (its send timed out, or the run crashed) is
 * first looked up on chain: found, it is committed and followed up like any other; not found, it
 * fails once its transaction's era has passed and expires once its reveal window has. A hash
 * commit is revealed by this run when the chain is inside its reveal epoch (never before, never
 * after: a missed window is recorded as a failure); a timelocked commit is revealed by the chain,
 * and once its epoch has come this run checks that the weights the chain applied are the
 * committed ones and links the reveal to the commit.
 */
import { mechanismStorageIndex } from '../chain/mechanisms';
import type { ApiPromise } from '@polkadot/api';
import { hexToU8a } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import type { Firestore } from 'firebase-admin/firestore';
import { RuntimeItems } from '../chain/runtime-items';
import { MORTAL_PERIOD } from '../chain/submit';
import type { Logger } from '../logs/logger';
import * as logs from '../logs/publishing';
import { openCommits, updateCommit, type PendingCommit } from './commits';
import type { PublishRequest } from './publish';
import type { Outcome, PublishResult } from './result';
import { Decision, deliver, type WriteAhead } from './submission';
import { withRetries } from './retries';

export interface FollowUp {
  commit: PendingCommit;
  /** What this run found or did about the commit. */
  result: PublishResult;
  /** Whether `result` is an attempt to record: a reveal sent, or a commit that came to nothing. */
  record: boolean;
  /** What became of the commit in this run. */
  outcome: 'waiting' | 'revealed' | 'missed' | 'expired' | 'failed';
}

export interface FollowUpRequest extends Pick<
  PublishRequest,
  'config' | 'signer' | 'log' | 'sleep'
> {
  db: Firestore;
  /** The write-ahead of a commit's reveal: its record, before the reveal is sent. */
  writeAheadFor?: (commit: PendingCommit) => WriteAhead;
}

export async function followUpCommits(request: FollowUpRequest): Promise<FollowUp[]> {
  const { db, config, signer, log } = request;
  const followUps: FollowUp[] = [];
  for (const commit of await openCommits(db, signer.address, config.netuid)) {
    // A retry after the reveal was sent sends that very extrinsic again, never a new nonce.
    const decision = new Decision();
    const result = await withRetries(
      request,
      'reveal',
      async (api) => {
        const items = new RuntimeItems(api);
        const best = (await api.rpc.chain.getHeader()).number.toNumber();
        let current = commit;
        if (commit.status === 'committing') {
          const confirmed = await confirm(api, items, commit, best);
          if ('outcome' in confirmed) return confirmed.outcome;
          current = confirmed.commit;
          const { status, commit_block, commit_epoch, reveal_epoch } = current;
          const { first_reveal_block, last_reveal_block } = current;
          await updateCommit(db, commit.id, {
            status,
            commit_block,
            commit_epoch,
            reveal_epoch,
            first_reveal_block,
            last_reveal_block,
          });
        }
        if (current.kind === 'timelocked') return observeTimelocked(api, items, current, best);
        const writeAhead = request.writeAheadFor?.(commit);
        return revealHash(api, items, current, { ...request, writeAhead }, best, decision);
      },
      decision,
    );
    const outcome = outcomeOf(result);
    await settle(db, log, commit, outcome, result);
    // A timelocked reveal is the chain's, not an attempt of ours: only its absence is recorded.
    const record = outcome !== 'waiting' && (commit.kind === 'hash' || outcome !== 'revealed');
    followUps.push({ commit, outcome, result, record });
  }
  return followUps;
}

/**
 * A commit whose send was not seen to land: the chain's pending commits decide. Found, it is
 * committed (the commit with its block); otherwise an outcome: expired once the reveal window has
 * passed, failed once the transaction's era has, and waiting until then.
 */
async function confirm(
  api: ApiPromise,
  items: RuntimeItems,
  commit: PendingCommit,
  best: number,
): Promise<{ commit: PendingCommit } | { outcome: Outcome }> {
  const found = await findCommit(api, items, commit);
  if (found) return { commit: { ...commit, ...found, status: 'committed' } };
  const base = committedReveal(commit, best);
  // A timelocked commit leaves the chain's list once revealed: the applied weights tell.
  if (commit.kind === 'timelocked') {
    const seen = await observeTimelocked(api, items, commit, best, false);
    if (seen.status === 'included') return { outcome: seen };
  }
  const outcome = (fields: Pick<Outcome, 'status' | 'error_code' | 'reason' | 'retryable'>) => ({
    outcome: { ...base, ...fields },
  });
  if (best > commit.last_reveal_block) {
    return outcome({
      ...base,
      status: 'failed',
      error_code: 'CommitExpired',
      reason: `the commit was not found on chain and its reveal window (blocks ${commit.first_reveal_block}–${commit.last_reveal_block}) has passed`,
      retryable: false,
    });
  }
  if (commit.submitted_block !== undefined && best > commit.submitted_block + MORTAL_PERIOD) {
    return outcome({
      ...base,
      status: 'failed',
      error_code: 'CommitNotFound',
      reason: `the commit is not on chain and its transaction (valid until block ${commit.submitted_block + MORTAL_PERIOD}) can no longer land`,
      retryable: false,
    });
  }
  return outcome({
    status: 'skipped',
    error_code: 'CommitUnconfirmed',
    reason: `the commit is not on chain yet; its transaction can land until block ${(commit.submitted_block ?? best) + MORTAL_PERIOD}`,
  });
}

/** The block of the commit in the chain's pending commits, or undefined when it is not there. */
async function findCommit(
  api: ApiPromise,
  items: RuntimeItems,
  commit: PendingCommit,
): Promise<Partial<PendingCommit> | undefined> {
  if (commit.kind === 'hash') {
    const stored = await items.storage('SubtensorModule.WeightCommits')(
      commit.netuid,
      commit.hotkey,
    );
    const list = (stored.toJSON() as Array<[string, number, number, number]> | null) ?? [];
    const found = list.find(([hash]) => hash === commit.id);
    // The chain's own record: the block it landed in and the reveal window it allows.
    return found
      ? {
          commit_block: Number(found[1]),
          first_reveal_block: Number(found[2]),
          last_reveal_block: Number(found[3]),
        }
      : undefined;
  }
  // Kept under the epoch it landed in: the one it was built in, or the next.
  const first = commit.commit_epoch ?? commit.reveal_epoch - 1;
  const entry = items.storage('SubtensorModule.TimelockedWeightCommits');
  type Query = Parameters<typeof api.queryMulti>[0][number];
  const stored = await api.queryMulti(
    [first, first + 1].map((e) => [entry, [storageIndexOf(commit), e]] as Query),
  );
  const who = api.registry.createType('AccountId32', commit.hotkey).toString();
  for (const [i, epoch] of stored.entries()) {
    const list = (epoch.toJSON() as Array<[string, number, string, number]> | null) ?? [];
    const found = list.find(
      ([account, , ciphertext]) =>
        api.registry.createType('AccountId32', account).toString() === who &&
        blake2AsHex(hexToU8a(ciphertext), 256) === commit.id,
    );
    if (!found) continue;
    // Landed an epoch later than built: its window is an epoch later too.
    const span =
      (first + i - (commit.commit_epoch ?? first)) *
      (commit.last_reveal_block - commit.first_reveal_block + 1);
    return {
      commit_block: Number(found[1]),
      commit_epoch: first + i,
      reveal_epoch: commit.reveal_epoch + (first + i - (commit.commit_epoch ?? first)),
      first_reveal_block: commit.first_reveal_block + span,
      last_reveal_block: commit.last_reveal_block + span,
    };
  }
  return undefined;
}

/**
 * What a follow-up found: revealed when it landed (or was seen applied), waiting while the window
 * has not opened or after a transient failure (the next run tries again), missed when the window
 * passed, failed when the chain refused the reveal.
 */
function outcomeOf(result: PublishResult): FollowUp['outcome'] {
  if (result.status === 'included' || result.status === 'finalized') return 'revealed';
  if (result.status !== 'failed' || result.retryable) return 'waiting';
  if (result.error_code === 'CommitExpired') return 'expired';
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
  } else if (outcome !== 'waiting') {
    logs.revealMissed(log, commit.id, result.reason ?? outcome);
    await updateCommit(db, commit.id, { status: outcome, reason: result.reason });
  }
}

/** What a follow-up of `commit` carries, seen at block `best`. */
const committedReveal = (commit: PendingCommit, best: number) => ({
  mode: 'reveal' as const,
  block_number: best,
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
  items: RuntimeItems,
  commit: PendingCommit,
  request: Pick<PublishRequest, 'config' | 'signer'> & { writeAhead?: WriteAhead },
  best: number,
  decision: Decision,
): Promise<Outcome> {
  const { config, signer } = request;
  const base = committedReveal(commit, best);
  // A retry after the reveal was sent sends it again: its window was checked when it was signed.
  if (!decision.sent) {
    // The reveal lands in the next block at the earliest.
    const next = best + 1;
    if (next < commit.first_reveal_block) {
      return {
        ...base,
        status: 'skipped',
        error_code: 'RevealNotYet',
        reason: `the reveal window opens at block ${commit.first_reveal_block}, in about ${Math.round((commit.first_reveal_block - best) * items.blockSeconds())} s`,
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
  }
  const tx = decision.sent
    ? api.tx(decision.sent.signed.hex)
    : items.call('SubtensorModule.reveal_weights')(
        config.netuid,
        commit.uids,
        commit.values,
        commit.salt ?? [],
        BigInt(commit.version_key),
      );
  return deliver({
    api,
    items,
    tx,
    signer,
    config,
    sent: base,
    writeAhead: request.writeAhead,
    decision,
  });
}

/**
 * Once the reveal epoch has come, the chain has applied a timelocked commit when the commit has
 * left TimelockedWeightCommits and the validator's Weights row holds the committed values. The
 * block is LastUpdate's where it falls in the window, else the best block seen. One epoch after
 * the window without that, the reveal is counted as missed.
 */
async function observeTimelocked(
  api: ApiPromise,
  items: RuntimeItems,
  commit: PendingCommit,
  best: number,
  pending?: boolean,
): Promise<Outcome> {
  const base = committedReveal(commit, best);
  if (best < commit.first_reveal_block)
    return { ...base, status: 'skipped', error_code: 'RevealNotYet' };
  const stillPending = pending ?? (await findCommit(api, items, commit)) !== undefined;
  const revealedAt = stillPending ? undefined : await appliedAt(api, items, commit, best);
  if (revealedAt !== undefined) return { ...base, block_number: revealedAt, status: 'included' };
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

/** Where the commit's mechanism keeps its commits, weights and LastUpdate (the netuid for 0). */
function storageIndexOf(commit: PendingCommit): number {
  return mechanismStorageIndex(commit.netuid, commit.mechanism ?? 0);
}

/** The block the committed weights were applied at, when the validator's row holds them now. */
async function appliedAt(
  api: ApiPromise,
  items: RuntimeItems,
  commit: PendingCommit,
  best: number,
): Promise<number | undefined> {
  const uid = await items.storage('SubtensorModule.Uids')(commit.netuid, commit.hotkey);
  const option = uid as unknown as { isSome: boolean; unwrap(): { toNumber(): number } };
  if (!option.isSome) return undefined;
  const uidValue = option.unwrap().toNumber();
  const lastUpdate = items.optionalStorage('SubtensorModule.LastUpdate');
  type Query = Parameters<typeof api.queryMulti>[0][number];
  const [row, lastUpdated] = await api.queryMulti([
    [items.storage('SubtensorModule.Weights'), [storageIndexOf(commit), uidValue]] as Query,
    ...(lastUpdate ? [[lastUpdate, storageIndexOf(commit)] as Query] : []),
  ]);
  const applied = (row.toJSON() as Array<[number, number]> | null) ?? [];
  const same =
    applied.length === commit.uids.length &&
    applied.every(([u, v], i) => u === commit.uids[i] && v === commit.values[i]);
  if (!same) return undefined;
  const at = Number(((lastUpdated?.toJSON() as number[] | null) ?? [])[uidValue] ?? 0);
  return at >= commit.first_reveal_block && at <= best ? at : best;
}
