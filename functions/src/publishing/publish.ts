/**
 * Publishing a scoring result on chain with set_weights: map hotkeys to uids at one block, check
 * the validator and the subnet's rules, convert shares as the reference SDK does, submit, and
 * report exactly what happened. Transient failures are retried with backoff and jitter; chain
 * refusals are not. Every outcome is a result, never a throw, so that it can be recorded.
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import { classifyRpcError } from '../chain/errors';
import { withChain } from '../chain/connection';
import { readSubnetState, type SubnetState } from '../chain/subnet-state';
import { submitAndWatch } from '../chain/submit';
import type { PublishConfig } from '../config/publishing';
import type { Logger } from '../logs/logger';
import * as logs from '../logs/publishing';
import { processWeights } from '../weights/process';
import { toU16Weights } from '../weights/u16';

/** Seconds per block on subtensor, for estimates. */
export const BLOCK_SECONDS = 12;

export type PublishStatus =
  'included' | 'finalized' | 'failed' | 'rate-limited' | 'skipped' | 'dry-run';

export interface PublishResult {
  status: PublishStatus;
  /** Why nothing landed (failed, rate-limited, skipped), in words. */
  reason?: string;
  /** The chain's error name (module error, 1010 custom error, …) or a short code of ours. */
  error_code?: string;
  retryable?: boolean;
  mode: 'set_weights';
  network: string;
  endpoint: string;
  netuid: number;
  validator_hotkey: string;
  validator_uid?: number;
  block_number?: number;
  block_hash?: string;
  extrinsic_hash?: string;
  extrinsic_index?: number;
  /** What was (or would be) sent: uids and their u16 weights. */
  uids: number[];
  weights: number[];
  uid_hotkeys: Record<string, string>;
  version_key?: string;
  spec_version?: number;
  unregistered_hotkeys: string[];
  next_allowed_block?: number;
  eta_seconds?: number;
  attempts: number;
  timings: { total_ms: number; connect_ms?: number; read_ms?: number; submit_ms?: number };
}

export interface PublishRequest {
  /** Hotkey → share, as scoring returns it. */
  shares: Record<string, number>;
  signer: KeyringPair;
  config: PublishConfig;
  log: Logger;
  dryRun?: boolean;
  /** Waits between attempts; replaceable so tests need not sleep. */
  sleep?: (ms: number) => Promise<void>;
}

type Timings = Omit<PublishResult['timings'], 'total_ms'>;
/** What one attempt found out; publishWeights adds the request's own fields and the totals. */
type Outcome = Omit<
  PublishResult,
  'mode' | 'network' | 'endpoint' | 'netuid' | 'validator_hotkey' | 'attempts' | 'timings'
> & {
  timings?: Timings;
};

export async function publishWeights(request: PublishRequest): Promise<PublishResult> {
  const { config, signer, log } = request;
  const sleep =
    request.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = Date.now();
  const base = {
    mode: 'set_weights' as const,
    network: config.endpoint.network,
    endpoint: config.endpoint.url,
    netuid: config.netuid,
    validator_hotkey: signer.address,
  };
  logs.connecting(log, config.endpoint.network, config.endpoint.url, config.netuid, signer.address);
  for (let attempt = 1; ; attempt++) {
    let outcome: Outcome;
    try {
      outcome = await withChain(
        { url: config.endpoint.url, connectTimeoutMs: config.connectTimeoutMs },
        (api) => attemptPublish(api, request, Date.now()),
      );
    } catch (error) {
      const failure = classifyRpcError(error);
      if (failure.retryable && attempt < config.attempts) {
        const delay = backoff(config.retryBaseDelayMs, attempt);
        logs.attemptFailed(log, attempt, failure.code, failure.message, delay);
        await sleep(delay);
        continue;
      }
      outcome = {
        ...empty(),
        status: 'failed',
        error_code: failure.code,
        reason: failure.message,
        retryable: failure.retryable,
      };
    }
    const result: PublishResult = {
      ...base,
      ...outcome,
      attempts: attempt,
      timings: { ...outcome.timings, total_ms: Date.now() - started },
    };
    report(log, request.shares, result);
    return result;
  }
}

/** Exponential backoff with full jitter: a random delay up to base · 2^(attempt−1). */
function backoff(baseMs: number, attempt: number): number {
  return Math.round(Math.random() * baseMs * 2 ** (attempt - 1));
}

const empty = () => ({ uids: [], weights: [], uid_hotkeys: {}, unregistered_hotkeys: [] });

async function attemptPublish(
  api: Parameters<Parameters<typeof withChain>[1]>[0],
  request: PublishRequest,
  connectedAt: number,
): Promise<Outcome> {
  const { config, signer, log, shares } = request;
  const t0 = Date.now();
  const hotkeys = Object.keys(shares);
  const state = await readSubnetState(
    api,
    config.netuid,
    signer.address,
    hotkeys,
    config.readTimeoutMs,
  );
  const readMs = Date.now() - t0;
  const chain = {
    block_number: state.blockNumber,
    block_hash: state.blockHash,
    spec_version: state.specVersion,
    validator_uid: state.validatorUid,
  };
  const timings: Timings = { connect_ms: t0 - connectedAt, read_ms: readMs };
  const stop = (
    status: PublishStatus,
    error_code: string,
    reason: string,
    extra: Partial<Outcome> = {},
  ): Outcome => ({
    ...empty(),
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
  if (state.commitRevealEnabled) {
    return stop(
      'skipped',
      'CommitRevealEnabled',
      `commit-reveal is enabled on subnet ${config.netuid}: the chain refuses set_weights there, and this publisher cannot commit yet`,
    );
  }

  const unregistered = hotkeys.filter((hotkey) => !state.uids.has(hotkey));
  for (const hotkey of unregistered) logs.unregisteredHotkey(log, hotkey, config.netuid);
  const scores = denseScores(state, shares);
  if (!scores.some((s) => s > 0)) {
    const policy = config.emptyPolicy;
    if (policy.kind === 'skip') {
      return stop(
        'skipped',
        'NoActiveMiners',
        'no registered miner has a share, and the empty-weights policy is skip',
        {
          unregistered_hotkeys: unregistered,
        },
      );
    }
    if (policy.kind === 'burn') {
      if (policy.uid >= state.neurons) {
        return stop(
          'failed',
          'InvalidBurnUid',
          `the burn uid ${policy.uid} is not on subnet ${config.netuid} (${state.neurons} neurons)`,
        );
      }
      scores[policy.uid] = 1;
    }
  }
  const processed = processWeights(
    scores.map((_, uid) => uid),
    scores,
    {
      neurons: state.neurons,
      minAllowedWeights: state.minAllowedWeights,
      maxWeightsLimit: state.maxWeightsLimit,
    },
  );
  const emit = toU16Weights(processed.uids, processed.weights);
  const hotkeyOf = new Map([...state.uids].map(([hotkey, uid]) => [uid, hotkey]));
  const sent = {
    uids: emit.uids,
    weights: emit.values,
    uid_hotkeys: uidHotkeys(emit.uids, hotkeyOf),
    unregistered_hotkeys: unregistered,
  };
  const versionKey =
    state.weightsVersionKey > config.minVersionKey ? state.weightsVersionKey : config.minVersionKey;

  const nextAllowed = state.validatorLastUpdate + state.weightsSetRateLimit;
  // The extrinsic lands in the next block at the earliest; the chain allows it from LastUpdate + limit.
  if (state.validatorLastUpdate !== 0 && state.blockNumber + 1 < nextAllowed) {
    return {
      ...stop(
        'rate-limited',
        'SettingWeightsTooFast',
        `the subnet allows weights again from block ${nextAllowed}`,
      ),
      ...sent,
      version_key: versionKey.toString(),
      next_allowed_block: nextAllowed,
      eta_seconds: (nextAllowed - state.blockNumber) * BLOCK_SECONDS,
    };
  }
  if (request.dryRun) {
    logs.dryRun(log, emit.uids, emit.values, versionKey);
    return { ...chain, ...sent, status: 'dry-run', version_key: versionKey.toString(), timings };
  }

  const t1 = Date.now();
  const tx = api.tx.subtensorModule.setWeights(config.netuid, emit.uids, emit.values, versionKey);
  const included = await submitAndWatch(api, tx, signer, config.waitFor, config.inclusionTimeoutMs);
  const landed = {
    ...chain,
    ...sent,
    version_key: versionKey.toString(),
    block_hash: included.blockHash,
    block_number:
      included.blockNumber ?? (await api.rpc.chain.getHeader(included.blockHash)).number.toNumber(),
    extrinsic_hash: included.extrinsicHash,
    extrinsic_index: included.extrinsicIndex,
    timings: { ...timings, submit_ms: Date.now() - t1 },
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
  // The next set_weights is allowed a rate limit after this block.
  const next = landed.block_number + state.weightsSetRateLimit;
  return {
    ...landed,
    status: included.finalized ? 'finalized' : 'included',
    next_allowed_block: next,
    eta_seconds: state.weightsSetRateLimit * BLOCK_SECONDS,
  };
}

function uidHotkeys(
  uids: readonly number[],
  hotkeyOf: ReadonlyMap<number, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const uid of uids) {
    const hotkey = hotkeyOf.get(uid);
    if (hotkey !== undefined) out[String(uid)] = hotkey;
  }
  return out;
}

/** One score per uid 0 … n−1 (the SDK's dense layout), from the shares of registered hotkeys. */
function denseScores(state: SubnetState, shares: Record<string, number>): number[] {
  const scores = new Array<number>(state.neurons).fill(0);
  for (const [hotkey, share] of Object.entries(shares)) {
    const uid = state.uids.get(hotkey);
    if (uid !== undefined && uid < state.neurons) scores[uid] += share;
  }
  return scores;
}

function report(log: Logger, shares: Record<string, number>, result: PublishResult): void {
  if (result.status === 'included' || result.status === 'finalized') {
    const uidOf = new Map(
      Object.entries(result.uid_hotkeys).map(([uid, hotkey]) => [hotkey, Number(uid)]),
    );
    const valueOf = new Map(result.uids.map((uid, i) => [uid, result.weights[i]]));
    const miners = Object.entries(shares)
      .filter(([hotkey]) => uidOf.has(hotkey))
      .map(([hotkey, share]) => {
        const uid = uidOf.get(hotkey) ?? -1;
        return { hotkey, share, uid, value: valueOf.get(uid) ?? 0 };
      })
      .sort((a, b) => b.share - a.share);
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
