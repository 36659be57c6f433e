/**
 * Publishing a scoring result on chain: map hotkeys to uids at one block, check the validator and
 * the subnet's rules, allocate (allocation.ts), re-check the uids' hotkeys right before sending,
 * and submit in the form the subnet accepts: `set_weights`, a timelocked commit (commit-reveal on
 * current runtimes) or a hash commit (older runtimes), whose reveal a later run sends
 * (extrinsic.ts, submission.ts). Transient failures are retried (retries.ts); chain refusals are
 * not. Every outcome is a result, never a throw, so that it can be recorded.
 */
import type { ApiPromise } from '@polkadot/api';
import type { Firestore } from 'firebase-admin/firestore';
import { publicEndpoint } from '../chain/endpoints';
import { revealWindow } from '../chain/timelock';
import { classifyRpcError } from '../chain/errors';
import { RuntimeItems } from '../chain/runtime-items';
import { readMechanisms } from '../chain/mechanisms';
import { currentHotkeys, readSubnetState } from '../chain/subnet-state';
import type { Logger } from '../logs/logger';
import * as logs from '../logs/publishing';
import { allocate, place, reassignedUids, withoutUids } from './allocation';
import { buildExtrinsic, type Built } from './extrinsic';
import { updateCommit } from './commits';
import {
  nothingSent,
  type Outcome,
  type PublishResult,
  type PublishStatus,
  type Timings,
} from './result';
import { withRetries, type RetryRequest } from './retries';
import { Decision, deliver, type Delivery, type WriteAhead } from './submission';

export interface PublishRequest extends RetryRequest {
  /** Hotkey → share, as scoring returns it. */
  shares: Record<string, number>;
  dryRun?: boolean;
  /** Where commits wait for their reveal; a hash commit is refused without it. */
  db?: Firestore;
  /** Writes the attempt's record once the extrinsic is signed, before it is sent. */
  writeAhead?: WriteAhead;
  /** The subnet mechanism to weight (default 0, the subnet's main one; docs/mechanisms.md). */
  mechanism?: number;
}

/** What an attempt is sending, kept for the next attempt: a retry sends the same extrinsic again. */
interface InFlight {
  delivery: Omit<Delivery, 'api' | 'items'>;
  built: Built;
  rateLimit: number;
  blockSeconds: number;
  /** A commit's reveal window, from the block it lands in. */
  windowAt: (block: number) => ReturnType<typeof revealWindow>;
}

export async function publishWeights(request: PublishRequest): Promise<PublishResult> {
  const { config, signer, log } = request;
  logs.connecting(
    log,
    config.endpoint.network,
    publicEndpoint(config.endpoint),
    config.netuid,
    signer.address,
  );
  // Once its extrinsic is signed and recorded, every attempt sends that one again.
  const decision = new Decision();
  let inFlight: InFlight | undefined;
  const remember = (sending: InFlight) => (inFlight = sending);
  const result = await withRetries(
    request,
    'set_weights',
    (api, connectedAt) =>
      inFlight && decision.sent
        ? send(api, new RuntimeItems(api), inFlight)
        : attemptPublish(api, request, connectedAt, decision, remember),
    decision,
  );
  report(log, request.shares, result);
  return result;
}

async function attemptPublish(
  api: ApiPromise,
  request: PublishRequest,
  connectedAt: number,
  decision: Decision,
  remember: (sending: InFlight) => void,
): Promise<Outcome> {
  const { config, signer, log, shares } = request;
  const t0 = Date.now();
  const state = await readSubnetState(
    api,
    config.netuid,
    signer.address,
    Object.keys(shares),
    config.readTimeoutMs,
  );
  const choice = state.items.form(state.commitRevealEnabled);
  // Without the form's items the form is unknowable; the refusal below says which are missing.
  const mode =
    'form' in choice ? choice.form : state.commitRevealEnabled ? 'commit' : 'set_weights';
  const mechanism = request.mechanism ?? 0;
  const configured = config.mechanisms ?? [];
  const mechanisms =
    state.items.has('SubtensorModule.MechanismCountCurrent') ||
    mechanism > 0 ||
    configured.some((m) => m > 0)
      ? await readMechanisms(
          api,
          state.items,
          config.netuid,
          state.blockHash,
          mechanism,
          state.validatorUid,
        )
      : undefined;
  const chain = {
    mode,
    ...(mechanisms
      ? {
          mechanism,
          mechanism_count: mechanisms.count,
          ...(mechanisms.split ? { emission_split: mechanisms.split } : {}),
        }
      : {}),
    block_number: state.blockNumber,
    block_hash: state.blockHash,
    spec_version: state.specVersion,
    validator_uid: state.validatorUid,
    block_seconds: state.blockSeconds,
    genesis_hash: api.genesisHash.toHex(),
  };
  const timings: Timings = { connect_ms: t0 - connectedAt, read_ms: Date.now() - t0 };
  const stop = (
    status: PublishStatus,
    error_code: string,
    reason: string,
    extra: Partial<Outcome> = {},
  ): Outcome => ({
    ...nothingSent(),
    ...chain,
    status,
    error_code,
    reason,
    retryable: false,
    timings,
    ...extra,
  });

  if (state.validatorUid === undefined) {
    return stop(
      'failed',
      'HotKeyNotRegisteredInSubNet',
      `the validator hotkey ${signer.address} is not registered on subnet ${config.netuid}`,
    );
  }
  if (!state.validatorPermit) {
    return stop(
      'failed',
      'NeuronNoValidatorPermit',
      `the validator (uid ${state.validatorUid}) has no validator permit on subnet ${config.netuid}`,
    );
  }
  if ('missing' in choice) {
    return stop(
      'failed',
      'UnsupportedRuntime',
      choice.missing.map((name) => `${name} missing`).join(', '),
    );
  }
  // A configuration naming a mechanism the subnet lacks is refused before anything is sent.
  const lacking = mechanisms ? [...configured, mechanism].filter((m) => m >= mechanisms.count) : [];
  if (mechanisms && lacking.length) {
    return stop(
      'failed',
      'MechanismDoesNotExist',
      `mechanism ${[...new Set(lacking)].join(', ')} is not on subnet ${config.netuid}: it has ${mechanisms.count} (MechanismCountCurrent), numbered from 0`,
    );
  }
  if (mechanism > 0) {
    const call =
      mode === 'set_weights'
        ? 'SubtensorModule.set_mechanism_weights'
        : mode === 'timelocked_commit'
          ? 'SubtensorModule.commit_timelocked_mechanism_weights'
          : undefined;
    if (call === undefined)
      return stop(
        'failed',
        'UnsupportedRuntime',
        `mechanism ${mechanism}: hash commits are published for mechanism 0 only`,
      );
    if (!state.items.has(call)) return stop('failed', 'UnsupportedRuntime', `${call} missing`);
  }
  if (mode === 'commit' && !request.db) {
    return stop(
      'failed',
      'NoCommitStore',
      'a hash commit needs Firestore to keep its reveal; none was given',
    );
  }

  const placed = place(shares, state.uids);
  const unregistered = placed.unregistered;
  logs.unregisteredHotkeys(log, unregistered, config.netuid);
  const subnet = {
    netuid: config.netuid,
    neurons: state.neurons,
    minAllowedWeights: state.minAllowedWeights,
    maxWeightsLimit: state.maxWeightsLimit,
  };
  let hotkeyAt = placed.hotkeyAt;
  let allocation = allocate(shares, hotkeyAt, subnet, config.emptyPolicy);
  if ('refused' in allocation) {
    const { status, code, reason } = allocation.refused;
    return stop(status, code, reason, { unregistered_hotkeys: unregistered });
  }

  // A uid may have been re-registered to another hotkey since the read: it must not get the weight.
  const now = await currentHotkeys(api, state.items, config.netuid, [...hotkeyAt.keys()]);
  const reassigned = reassignedUids(hotkeyAt, now);
  if (reassigned.length) {
    for (const uid of reassigned)
      logs.uidReassigned(log, uid, hotkeyAt.get(uid) ?? '', now.get(uid) ?? '');
    hotkeyAt = withoutUids(hotkeyAt, reassigned);
    allocation = allocate(shares, hotkeyAt, subnet, config.emptyPolicy);
    if ('refused' in allocation) {
      const { status, code, reason } = allocation.refused;
      return stop(status, code, reason, {
        unregistered_hotkeys: unregistered,
        reassigned_uids: reassigned,
      });
    }
  }
  const { rows } = allocation;
  const versionKey =
    state.weightsVersionKey > config.minVersionKey ? state.weightsVersionKey : config.minVersionKey;
  const sent = {
    allocation: rows,
    unregistered_hotkeys: unregistered,
    version_key: versionKey.toString(),
    ...(reassigned.length ? { reassigned_uids: reassigned } : {}),
  };

  // Each mechanism has its own LastUpdate (at its storage index), so its own rate limit.
  const lastUpdate =
    mechanism > 0 ? (mechanisms?.validatorLastUpdate ?? 0) : state.validatorLastUpdate;
  const nextAllowed = lastUpdate + state.weightsSetRateLimit;
  // The extrinsic lands in the next block at the earliest; the chain allows it from LastUpdate + limit.
  if (lastUpdate !== 0 && state.blockNumber + 1 < nextAllowed) {
    return {
      ...stop(
        'rate-limited',
        'SettingWeightsTooFast',
        `the subnet allows weights again from block ${nextAllowed}`,
      ),
      ...sent,
      next_allowed_block: nextAllowed,
      eta_seconds: (nextAllowed - state.blockNumber) * state.blockSeconds,
    };
  }
  if (request.dryRun) {
    logs.dryRun(log, mode, rows, versionKey);
    return { ...chain, ...sent, status: 'dry-run', timings };
  }

  const built = await buildExtrinsic({
    api,
    state,
    form: mode,
    rows,
    versionKey,
    signer,
    netuid: config.netuid,
    mechanism,
    db: request.db,
  });
  const delivery = {
    tx: built.tx,
    signer,
    config,
    sent: { ...chain, ...sent, ...built.fields },
    timings,
    writeAhead: request.writeAhead,
    decision,
  };
  const sending: InFlight = {
    delivery,
    built,
    rateLimit: state.weightsSetRateLimit,
    blockSeconds: state.blockSeconds,
    windowAt: (block) => revealWindow(block, config.netuid, state.tempo, state.revealPeriodEpochs),
  };
  remember(sending);
  return send(api, state.items, sending);
}

/**
 * Delivers the extrinsic (again, on a retry: the same signed bytes, which the decision holds) and
 * settles a saved commit with the chain's answer: committed, or failed when refused. After a
 * transient failure it may still land: the commit stays open.
 */
async function send(api: ApiPromise, items: RuntimeItems, inFlight: InFlight): Promise<Outcome> {
  const { built, rateLimit, blockSeconds } = inFlight;
  const commit = built.commit;
  let outcome: Outcome;
  try {
    outcome = await deliver({ ...inFlight.delivery, api, items });
  } catch (error) {
    const failure = classifyRpcError(error);
    // Refused: the commit never happened. After a transient failure it may still land: open.
    if (!failure.retryable && commit)
      await updateCommit(commit.db, commit.id, { status: 'failed', reason: failure.message });
    throw failure;
  }
  const landed = outcome.status === 'included' || outcome.status === 'finalized';
  if (landed && commit && outcome.block_number !== undefined) {
    // The chain keys a commit by the epoch it lands in: its window follows that block.
    const { commit_epoch, ...window } = inFlight.windowAt(outcome.block_number);
    outcome = { ...outcome, ...window };
    await updateCommit(commit.db, commit.id, {
      status: 'committed',
      commit_block: outcome.block_number,
      commit_epoch,
      ...window,
    });
  } else if (commit) {
    await updateCommit(commit.db, commit.id, { status: 'failed', reason: outcome.error_code });
  }
  if (!landed || outcome.block_number === undefined) return outcome;
  // The next set_weights (or commit) is allowed a rate limit after this block.
  return {
    ...outcome,
    next_allowed_block: outcome.block_number + rateLimit,
    eta_seconds: rateLimit * blockSeconds,
  };
}

/** The published lines: the scored miners that were sent, largest share first. */
function report(log: Logger, shares: Record<string, number>, result: PublishResult): void {
  if (result.status === 'included' || result.status === 'finalized') {
    // Equal shares keep the scoring's order.
    const rank = new Map(Object.keys(shares).map((hotkey, i) => [hotkey, i]));
    const miners = result.allocation
      .flatMap(({ hotkey, ...row }) => (hotkey === undefined ? [] : [{ ...row, hotkey }]))
      .sort((a, b) => b.share - a.share || (rank.get(a.hotkey) ?? 0) - (rank.get(b.hotkey) ?? 0));
    if (result.mode !== 'set_weights')
      logs.committed(log, result.mode, result.first_reveal_block, result.reveal_round);
    logs.published(
      log,
      miners,
      miners.reduce((sum, m) => sum + m.share, 0),
      {
        block_number: result.block_number,
        extrinsic_hash: result.extrinsic_hash,
      },
    );
  } else if (result.status !== 'dry-run') {
    logs.notPublished(log, result.status, result.error_code ?? 'Unknown', result.reason ?? '');
  }
}
