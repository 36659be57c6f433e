/**
 * Publishing a scoring result on chain: map hotkeys to uids at one block, check the validator and
 * the subnet's rules, convert shares as the reference SDK does, re-check the uids' hotkeys right
 * before sending, and submit in the form the subnet accepts: `set_weights`, a timelocked commit
 * (commit-reveal on current runtimes) or a hash commit (older runtimes), whose reveal a later run
 * sends. Transient failures are retried with backoff and jitter; chain refusals are not. Every
 * outcome is a result, never a throw, so that it can be recorded.
 */
import { randomInt } from 'node:crypto';
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import type { Firestore } from 'firebase-admin/firestore';
import { withChain } from '../chain/connection';
import { publicEndpoint } from '../chain/endpoints';
import { classifyRpcError } from '../chain/errors';
import type { CallName } from '../chain/runtime-items';
import { currentHotkeys, readSubnetState, type SubnetState } from '../chain/subnet-state';
import { submitAndWatch } from '../chain/submit';
import {
  encodeWeightsPayload,
  encryptToRound,
  firstBlockOfEpoch,
  QUICKNET,
  revealRound,
  epochIndex,
} from '../chain/timelock';
import type { PublishConfig } from '../config/publishing';
import type { Logger } from '../logs/logger';
import * as logs from '../logs/publishing';
import { processWeights } from '../weights/process';
import { toU16Weights } from '../weights/u16';
import { saveCommit, updateCommit, type PendingCommit } from './commits';

export type PublishStatus =
  'included' | 'finalized' | 'failed' | 'rate-limited' | 'skipped' | 'dry-run';
/** What was (or would be) sent: weights, a commit of either scheme, or a hash commit's reveal. */
export type PublishMode = 'set_weights' | 'timelocked_commit' | 'commit' | 'reveal';

export interface PublishResult {
  status: PublishStatus;
  /** Why nothing landed (failed, rate-limited, skipped), in words. */
  reason?: string;
  /** The chain's error name (module error, 1010 custom error, …) or a short code of ours. */
  error_code?: string;
  retryable?: boolean;
  mode: PublishMode;
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
  /** Uids whose hotkey changed between scoring and sending: they got nothing. */
  reassigned_uids?: number[];
  next_allowed_block?: number;
  eta_seconds?: number;
  /** Seconds per block, as the runtime states it (Aura.SlotDuration) or subtensor's 12 s. */
  block_seconds?: number;
  /** Commits: the commit's id (hash, or the ciphertext's blake2), reveal epoch and first block. */
  commit_id?: string;
  reveal_epoch?: number;
  first_reveal_block?: number;
  last_reveal_block?: number;
  /** Timelocked commits: the drand round the chain reveals at. */
  reveal_round?: string;
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
  /** Where commits wait for their reveal; a hash commit is refused without it. */
  db?: Firestore;
  /** Waits between attempts; replaceable so tests need not sleep. */
  sleep?: (ms: number) => Promise<void>;
}

type Timings = Omit<PublishResult['timings'], 'total_ms'>;
/** What one attempt found out; publishWeights adds the request's own fields and the totals. */
export type Outcome = Omit<
  PublishResult,
  'network' | 'endpoint' | 'netuid' | 'validator_hotkey' | 'attempts' | 'timings'
> & {
  timings?: Timings;
};

/** Runs `attempt` on a fresh connection, retrying transient failures; always a result. */
export async function withRetries(
  request: Pick<PublishRequest, 'config' | 'signer' | 'log' | 'sleep'>,
  mode: PublishMode,
  attempt: (api: ApiPromise, connectedAt: number) => Promise<Outcome>,
): Promise<PublishResult> {
  const { config, signer, log } = request;
  const sleep =
    request.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = Date.now();
  for (let n = 1; ; n++) {
    let outcome: Outcome;
    try {
      outcome = await withChain(
        { url: config.endpoint.url, connectTimeoutMs: config.connectTimeoutMs },
        (api) => attempt(api, Date.now()),
      );
    } catch (error) {
      const failure = classifyRpcError(error);
      if (failure.retryable && n < config.attempts) {
        const delay = backoff(config.retryBaseDelayMs, n);
        logs.attemptFailed(log, n, failure.code, failure.message, delay);
        await sleep(delay);
        continue;
      }
      outcome = {
        ...empty(),
        mode,
        status: 'failed',
        error_code: failure.code,
        reason: failure.message,
        retryable: failure.retryable,
      };
    }
    return {
      network: config.endpoint.network,
      endpoint: publicEndpoint(config.endpoint),
      netuid: config.netuid,
      validator_hotkey: signer.address,
      ...outcome,
      attempts: n,
      timings: { ...outcome.timings, total_ms: Date.now() - started },
    };
  }
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
  const result = await withRetries(request, 'set_weights', (api, connectedAt) =>
    attemptPublish(api, request, connectedAt),
  );
  report(log, request.shares, result);
  return result;
}

/** Exponential backoff with full jitter: a random delay up to base · 2^(attempt−1). */
function backoff(baseMs: number, attempt: number): number {
  return Math.round(Math.random() * baseMs * 2 ** (attempt - 1));
}

const empty = () => ({ uids: [], weights: [], uid_hotkeys: {}, unregistered_hotkeys: [] });

async function attemptPublish(
  api: ApiPromise,
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
  const choice = state.items.form(state.commitRevealEnabled);
  // Without the form's items the form is unknowable; the refusal below says which are missing.
  const mode =
    'form' in choice ? choice.form : state.commitRevealEnabled ? 'commit' : 'set_weights';
  const chain = {
    mode,
    block_number: state.blockNumber,
    block_hash: state.blockHash,
    spec_version: state.specVersion,
    validator_uid: state.validatorUid,
    block_seconds: state.blockSeconds,
  };
  const timings: Timings = { connect_ms: t0 - connectedAt, read_ms: Date.now() - t0 };
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
  if ('missing' in choice) {
    return stop(
      'failed',
      'UnsupportedRuntime',
      choice.missing.map((name) => `${name} missing`).join(', '),
    );
  }
  if (mode === 'commit' && !request.db) {
    return stop(
      'failed',
      'NoCommitStore',
      'a hash commit needs Firestore to keep its reveal; none was given',
    );
  }

  const unregistered = hotkeys.filter((hotkey) => !state.uids.has(hotkey));
  for (const hotkey of unregistered) logs.unregisteredHotkey(log, hotkey, config.netuid);
  let hotkeyOf = new Map([...state.uids].map(([hotkey, uid]) => [uid, hotkey]));
  let converted = convert(state, shares, config, hotkeyOf);
  if ('skip' in converted)
    return stop(converted.status, converted.code, converted.skip, {
      unregistered_hotkeys: unregistered,
    });

  // A uid may have been re-registered to another hotkey since the read: it must not get the weight.
  const now = await currentHotkeys(api, state.items, config.netuid, [...hotkeyOf.keys()]);
  const reassigned = [...hotkeyOf]
    .filter(([uid, hotkey]) => now.get(uid) !== hotkey)
    .map(([uid]) => uid);
  if (reassigned.length) {
    for (const uid of reassigned)
      logs.uidReassigned(log, uid, hotkeyOf.get(uid) ?? '', now.get(uid) ?? '');
    hotkeyOf = new Map([...hotkeyOf].filter(([uid]) => !reassigned.includes(uid)));
    converted = convert(state, shares, config, hotkeyOf);
    if ('skip' in converted)
      return stop(converted.status, converted.code, converted.skip, {
        unregistered_hotkeys: unregistered,
        reassigned_uids: reassigned,
      });
  }
  const { emit } = converted;
  const versionKey =
    state.weightsVersionKey > config.minVersionKey ? state.weightsVersionKey : config.minVersionKey;
  const sent = {
    uids: emit.uids,
    weights: emit.values,
    uid_hotkeys: uidHotkeys(emit.uids, hotkeyOf),
    unregistered_hotkeys: unregistered,
    version_key: versionKey.toString(),
    ...(reassigned.length ? { reassigned_uids: reassigned } : {}),
  };

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
      next_allowed_block: nextAllowed,
      eta_seconds: (nextAllowed - state.blockNumber) * state.blockSeconds,
    };
  }
  if (request.dryRun) {
    logs.dryRun(log, mode, emit.uids, emit.values, versionKey);
    return { ...chain, ...sent, status: 'dry-run', timings };
  }

  const built = await buildExtrinsic(api, request, state, mode, emit, versionKey);
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
      await updateCommit(requireDb(request), built.commit.id, {
        status: 'failed',
        reason: failure.message,
      });
    throw failure;
  }
  const blockNumber =
    included.blockNumber ?? (await api.rpc.chain.getHeader(included.blockHash)).number.toNumber();
  const landed = {
    ...chain,
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
      await updateCommit(requireDb(request), built.commit.id, {
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
    await updateCommit(requireDb(request), built.commit.id, {
      status: 'committed',
      commit_block: blockNumber,
    });
  // The next set_weights (or commit) is allowed a rate limit after this block.
  return {
    ...landed,
    status: included.finalized ? 'finalized' : 'included',
    next_allowed_block: blockNumber + state.weightsSetRateLimit,
    eta_seconds: state.weightsSetRateLimit * state.blockSeconds,
  };
}

type Converted =
  | { emit: { uids: number[]; values: number[] } }
  | { skip: string; status: PublishStatus; code: string };

/** Shares of the hotkeys at `hotkeyOf`'s uids → u16 weights, with the empty-weights policy. */
function convert(
  state: SubnetState,
  shares: Record<string, number>,
  config: PublishConfig,
  hotkeyOf: ReadonlyMap<number, string>,
): Converted {
  const scores = new Array<number>(state.neurons).fill(0);
  for (const [uid, hotkey] of hotkeyOf) if (uid < state.neurons) scores[uid] += shares[hotkey] ?? 0;
  if (!scores.some((s) => s > 0)) {
    const policy = config.emptyPolicy;
    if (policy.kind === 'skip') {
      return {
        skip: 'no registered miner has a share, and the empty-weights policy is skip',
        status: 'skipped',
        code: 'NoActiveMiners',
      };
    }
    if (policy.kind === 'burn') {
      if (policy.uid >= state.neurons) {
        return {
          skip: `the burn uid ${policy.uid} is not on subnet ${config.netuid} (${state.neurons} neurons)`,
          status: 'failed',
          code: 'InvalidBurnUid',
        };
      }
      scores[policy.uid] = 1;
    }
  }
  // One score per uid 0 … n−1 (the SDK's dense layout), so the minimum fill lands on the right uids.
  const processed = processWeights(
    scores.map((_, uid) => uid),
    scores,
    {
      neurons: state.neurons,
      minAllowedWeights: state.minAllowedWeights,
      maxWeightsLimit: state.maxWeightsLimit,
    },
  );
  return { emit: toU16Weights(processed.uids, processed.weights) };
}

interface Built {
  tx: SubmittableExtrinsic<'promise'>;
  fields: Partial<PublishResult>;
  commit?: PendingCommit;
}

async function buildExtrinsic(
  api: ApiPromise,
  request: PublishRequest,
  state: SubnetState,
  mode: PublishMode,
  emit: { uids: number[]; values: number[] },
  versionKey: bigint,
): Promise<Built> {
  const { config, signer } = request;
  const call = (name: CallName) => state.items.call(name);
  const netuid = config.netuid;
  if (mode === 'set_weights')
    return {
      tx: call('SubtensorModule.set_weights')(netuid, emit.uids, emit.values, versionKey),
      fields: {},
    };

  const revealEpoch = epochIndex(state.blockNumber, netuid, state.tempo) + state.revealPeriodEpochs;
  const window = {
    reveal_epoch: revealEpoch,
    first_reveal_block: firstBlockOfEpoch(revealEpoch, netuid, state.tempo),
    last_reveal_block: firstBlockOfEpoch(revealEpoch + 1, netuid, state.tempo) - 1,
  };
  const pending = (
    id: string,
    kind: PendingCommit['kind'],
    extra: Partial<PendingCommit>,
  ): PendingCommit => ({
    id,
    kind,
    status: 'committing',
    netuid,
    hotkey: signer.address,
    uids: emit.uids,
    values: emit.values,
    version_key: versionKey.toString(),
    ...window,
    ...extra,
  });

  if (mode === 'timelocked_commit') {
    const beacon = state.beacon ?? QUICKNET;
    const { round } = revealRound({
      nowMs: state.chainTimeMs,
      currentBlock: state.blockNumber,
      netuid,
      tempo: state.tempo,
      revealPeriodEpochs: state.revealPeriodEpochs,
      lastStoredRound: state.lastStoredRound,
      beacon,
      blockSeconds: state.blockSeconds,
    });
    const payload = encodeWeightsPayload(
      api.registry,
      signer.publicKey,
      emit.uids,
      emit.values,
      versionKey,
    );
    const ciphertext = await encryptToRound(payload, round, beacon);
    const id = blake2AsHex(ciphertext, 256);
    const commit = pending(id, 'timelocked', { reveal_round: round.toString() });
    if (request.db) await saveCommit(request.db, commit);
    return {
      tx: call('SubtensorModule.commit_timelocked_weights')(
        netuid,
        u8aToHex(ciphertext),
        round,
        state.commitRevealVersion,
      ),
      fields: { ...window, commit_id: id, reveal_round: round.toString() },
      commit: request.db ? commit : undefined,
    };
  }

  // Hash scheme: the salt comes from a cryptographic source, and the reveal data is saved before
  // the commit is sent, so that no crash can leave a commit nobody can reveal.
  const salt = Array.from({ length: 8 }, () => randomInt(0, 65536));
  const hash = blake2AsHex(
    api.registry
      .createType('(AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64)', [
        signer.address,
        netuid,
        emit.uids,
        emit.values,
        salt,
        versionKey,
      ])
      .toU8a(),
    256,
  );
  const commit = pending(hash, 'hash', { salt });
  await saveCommit(requireDb(request), commit);
  return {
    tx: call('SubtensorModule.commit_weights')(netuid, hash),
    fields: { ...window, commit_id: hash },
    commit,
  };
}

function requireDb(request: PublishRequest): Firestore {
  if (!request.db) throw new Error('no commit store');
  return request.db;
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
