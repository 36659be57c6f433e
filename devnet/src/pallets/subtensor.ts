/**
 * The subtensor weight-setting subset: set_weights, commit_weights / reveal_weights /
 * batch_reveal_weights (hash scheme) and commit_timelocked_weights, with the checks and errors of
 * the real pallet, in its order (docs/chain-facts.md), as the runtime profile's generation has
 * them. Only what weight setting touches is modelled.
 */
import type { AccountId32 } from '@polkadot/types/interfaces';
import type { Codec } from '@polkadot/types/types';
import { hexToU8a, stringCamelCase, u8aToBigInt, u8aToHex, u8aToNumber } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { ModuleError, type CallContext } from '../dispatch';
import { maxLimited, maxUpscale } from './fixed';
import type { State } from '../state';

const PALLET = 'subtensorModule';
const U16_MAX = 65535;
/** Unrevealed hash commits one hotkey may hold per subnet. */
export const MAX_UNREVEALED_COMMITS = 10;

const fail: (error: string) => never = (error) => {
  throw new ModuleError(PALLET, error);
};
const num = (codec: Codec | undefined): number => Number(codec?.toString() ?? 0);
const q = (state: State, method: string, ...keys: unknown[]) => state.get(PALLET, method, ...keys);

/** GLOBAL_MAX_SUBNET_COUNT: a mechanism's storage index is netuid + mecid · 4096. */
export const GLOBAL_MAX_SUBNET_COUNT = 4096;

/** get_mechanism_storage_index: where Weights, LastUpdate and commits of a mechanism are kept. */
export function storageIndex(netuid: number, mecid: number): number {
  return mecid * GLOBAL_MAX_SUBNET_COUNT + netuid;
}

/** ensure_mechanism_exists: the subnet exists and MechanismCountCurrent > mecid. */
function requireMechanism(state: State, netuid: number, mecid: number): void {
  if (!subnetExists(state, netuid) || num(q(state, 'mechanismCountCurrent', netuid)) <= mecid)
    fail('MechanismDoesNotExist');
}

export function epochIndex(state: State, netuid: number, block: number): number {
  const tempo = num(q(state, 'tempo', netuid));
  return Math.floor((block + netuid + 1) / (tempo + 1));
}

export function firstBlockOfEpoch(state: State, netuid: number, epoch: number): number {
  const tempo = num(q(state, 'tempo', netuid));
  return Math.max(0, epoch * (tempo + 1) - (netuid + 1));
}

export function uidOf(state: State, netuid: number, who: AccountId32 | string): number | undefined {
  const uid = q(state, 'uids', netuid, who);
  return uid === undefined ? undefined : num(uid);
}

function u64List(codec: Codec | undefined): bigint[] {
  return ((codec?.toJSON() as Array<number | string> | null) ?? []).map((v) => BigInt(v));
}

function requireRegistered(state: State, netuid: number, who: AccountId32): number {
  return uidOf(state, netuid, who) ?? fail('HotKeyNotRegisteredInSubNet');
}

function subnetExists(state: State, netuid: number): boolean {
  return q(state, 'networksAdded', netuid)?.toString() === 'true';
}

function commitRevealEnabled(state: State, netuid: number): boolean {
  return q(state, 'commitRevealWeightsEnabled', netuid)?.toString() === 'true';
}

/** The minimum stake to set weights (StakeThreshold, or WeightsMinStake on older runtimes). */
export function stakeThreshold(state: State): bigint {
  return BigInt(q(state, stringCamelCase(state.runtime.profile.stakeItem))?.toString() ?? '0');
}

export function hasEnoughStake(state: State, netuid: number, who: AccountId32 | string): boolean {
  if (state.runtime.profile.ownerExemptFromStake) {
    const owner = q(state, 'subnetOwnerHotkey', netuid)?.toString();
    if (owner === who.toString()) return true;
  }
  const stake = BigInt(q(state, 'totalHotkeyAlpha', who, netuid)?.toString() ?? '0');
  return stake >= stakeThreshold(state);
}

/** Blocks a uid must wait since LastUpdate; undefined when it may set weights now. */
export function rateLimitedUntil(
  state: State,
  netuid: number,
  uid: number,
  block: number,
  index = netuid,
): number | undefined {
  const last = Number(u64List(q(state, 'lastUpdate', index))[uid] ?? 0n);
  const limit = num(q(state, 'weightsSetRateLimit', netuid));
  return last !== 0 && block - last < limit ? last + limit : undefined;
}

function setLastUpdate(
  state: State,
  netuid: number,
  uid: number,
  block: number,
  index = netuid,
): void {
  const n = num(q(state, 'subnetworkN', netuid));
  const last = u64List(q(state, 'lastUpdate', index));
  while (last.length < n) last.push(0n);
  last[uid] = BigInt(block);
  state.set(PALLET, 'lastUpdate', [index], last);
}

/**
 * do_set_weights: everything after origin and the commit-reveal switch; reveals call it too. With
 * commit-reveal on (reveals), the rate limit is not checked and LastUpdate is left as the commit
 * set it, as on chain. A mechanism's weights, rate limit and LastUpdate are kept at its storage
 * index (internal_set_weights).
 */
function doSetWeights(
  ctx: CallContext,
  netuid: number,
  uids: number[],
  values: number[],
  versionKey: bigint,
  mecid = 0,
): void {
  const { state, who, block } = ctx;
  const index = storageIndex(netuid, mecid);
  if (netuid === 0) fail('CanNotSetRootNetworkWeights');
  if (uids.length !== values.length) fail('WeightVecNotEqualSize');
  if (state.runtime.profile.mechanisms) {
    requireMechanism(state, netuid, mecid);
  } else if (!subnetExists(state, netuid)) {
    fail('SubNetworkDoesNotExist');
  }
  const commitReveal = commitRevealEnabled(state, netuid);
  const n = num(q(state, 'subnetworkN', netuid));
  if (uids.length > n) fail('UidsLengthExceedUidsInSubNet');
  const uid = requireRegistered(state, netuid, who);
  if (!hasEnoughStake(state, netuid, who)) fail('NotEnoughStakeToSetWeights');
  const chainKey = BigInt(q(state, 'weightsVersionKey', netuid)?.toString() ?? '0');
  if (chainKey !== 0n && versionKey < chainKey) fail('IncorrectWeightVersionKey');
  if (!commitReveal && rateLimitedUntil(state, netuid, uid, block, index) !== undefined) {
    fail('SettingWeightsTooFast');
  }
  const selfWeight = uids.length === 1 && uids[0] === uid;
  const permits = (q(state, 'validatorPermit', netuid)?.toJSON() as boolean[] | null) ?? [];
  if (!permits[uid] && !selfWeight) fail('NeuronNoValidatorPermit');
  if (new Set(uids).size !== uids.length) fail('DuplicateUids');
  if (uids.some((u) => u >= n)) fail('UidVecContainInvalidOne');
  const minAllowed = Math.min(num(q(state, 'minAllowedWeights', netuid)), n);
  if (!selfWeight && uids.length < minAllowed) fail('WeightVecLengthIsLow');
  const upscaled = maxUpscale(values);
  const limit = num(q(state, 'maxWeightsLimit', netuid));
  // max_weight_limited: the largest proportion, in the runtime's fixed point, within limit / 65535.
  if (!selfWeight && limit !== U16_MAX && !maxLimited(upscaled, limit)) fail('MaxWeightExceeded');
  state.set(
    PALLET,
    'weights',
    [index, uid],
    uids.map((u, i) => [u, upscaled[i]]),
  );
  if (!commitReveal) setLastUpdate(state, netuid, uid, block, index);
  ctx.deposit({ SubtensorModule: { WeightsSet: [index, uid] } });
}

export function setWeights(
  ctx: CallContext,
  args: { netuid: number; dests: number[]; weights: number[]; versionKey: bigint; mecid?: number },
): void {
  if (commitRevealEnabled(ctx.state, args.netuid)) fail('CommitRevealEnabled');
  doSetWeights(ctx, args.netuid, args.dests, args.weights, args.versionKey, args.mecid);
}

/** blake2_256(SCALE(account, netuid_index u16, uids, values, salt, version_key)). */
export function commitHash(
  state: State,
  who: AccountId32 | string,
  netuid: number,
  uids: number[],
  values: number[],
  salt: number[],
  versionKey: bigint,
): `0x${string}` {
  const registry = state.runtime.registry;
  const encoded = registry
    .createType('(AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64)', [
      who,
      netuid,
      uids,
      values,
      salt,
      versionKey,
    ])
    .toU8a();
  return u8aToHex(blake2AsU8a(encoded, 256));
}

type HashCommit = [string, bigint, bigint, bigint]; // (hash, commit block, first reveal block, last reveal block)

function hashCommits(state: State, index: number, who: AccountId32): HashCommit[] | undefined {
  const stored = q(state, 'weightCommits', index, who)?.toJSON() as
    Array<[string, number, number, number]> | undefined;
  return stored?.map(([hash, a, b, c]) => [hash, BigInt(a), BigInt(b), BigInt(c)]);
}

function revealWindow(state: State, netuid: number, commitBlock: number) {
  const period = num(q(state, 'revealPeriodEpochs', netuid));
  const revealEpoch = epochIndex(state, netuid, commitBlock) + period;
  return {
    revealEpoch,
    first: firstBlockOfEpoch(state, netuid, revealEpoch),
    last: firstBlockOfEpoch(state, netuid, revealEpoch + 1) - 1,
  };
}

function requireCommitRevealEnabled(state: State, netuid: number): void {
  // Mechanism runtimes check the subnet as a mechanism first (ensure_mechanism_exists).
  if (state.runtime.profile.commitChecksSubnet && !subnetExists(state, netuid))
    fail(state.runtime.profile.mechanisms ? 'MechanismDoesNotExist' : 'SubNetworkDoesNotExist');
  if (!commitRevealEnabled(state, netuid)) fail('CommitRevealDisabled');
}

/** Whether a commit's reveal epoch has passed (is_commit_expired). */
function commitExpired(state: State, netuid: number, commitBlock: bigint, block: number): boolean {
  return (
    revealWindow(state, netuid, Number(commitBlock)).revealEpoch < epochIndex(state, netuid, block)
  );
}

/** Drops the expired commits at the front of the queue (oldest first), returning their hashes. */
function dropExpired(state: State, netuid: number, commits: HashCommit[], block: number): string[] {
  const expired: string[] = [];
  while (commits.length > 0 && commitExpired(state, netuid, commits[0][1], block)) {
    expired.push(commits[0][0]);
    commits.shift();
  }
  return expired;
}

function storeCommits(state: State, index: number, who: AccountId32, commits: HashCommit[]): void {
  if (commits.length) state.set(PALLET, 'weightCommits', [index, who], commits);
  else state.remove(PALLET, 'weightCommits', index, who);
}

/** Rate limit of commits: the same WeightsSetRateLimit, counted from the last commit. */
function requireCommitAllowed(
  state: State,
  netuid: number,
  uid: number,
  block: number,
  index = netuid,
): void {
  if (rateLimitedUntil(state, netuid, uid, block, index) !== undefined)
    fail('CommittingWeightsTooFast');
}

export function commitWeights(
  ctx: CallContext,
  args: { netuid: number; commitHash: string; mecid?: number },
): void {
  const { state, who, block } = ctx;
  const mecid = args.mecid ?? 0;
  const index = storageIndex(args.netuid, mecid);
  if (args.mecid !== undefined) requireMechanism(state, args.netuid, mecid);
  requireCommitRevealEnabled(state, args.netuid);
  const uid = requireRegistered(state, args.netuid, who);
  requireCommitAllowed(state, args.netuid, uid, block, index);
  const commits = hashCommits(state, index, who) ?? [];
  // Commits whose reveal epoch has passed can never be revealed: the oldest are dropped.
  dropExpired(state, args.netuid, commits, block);
  if (commits.length >= MAX_UNREVEALED_COMMITS) fail('TooManyUnrevealedCommits');
  const window = revealWindow(state, args.netuid, block);
  commits.push([args.commitHash, BigInt(block), BigInt(window.first), BigInt(window.last)]);
  state.set(PALLET, 'weightCommits', [index, who], commits);
  setLastUpdate(state, args.netuid, uid, block, index);
  ctx.deposit({ SubtensorModule: { WeightsCommitted: [who, index, args.commitHash] } });
}

/**
 * do_reveal_weights: expired commits at the front are dropped; the matching commit must be in its
 * reveal epoch; it is revealed and the commits before it are dropped with it, as on chain.
 */
export function revealWeights(
  ctx: CallContext,
  args: {
    netuid: number;
    uids: number[];
    values: number[];
    salt: number[];
    versionKey: bigint;
    mecid?: number;
  },
): void {
  const { state, who, block } = ctx;
  const mecid = args.mecid ?? 0;
  const index = storageIndex(args.netuid, mecid);
  if (args.mecid !== undefined) requireMechanism(state, args.netuid, mecid);
  requireCommitRevealEnabled(state, args.netuid);
  const commits = hashCommits(state, index, who);
  if (!commits) return fail('NoWeightsCommitFound');
  const expired = dropExpired(state, args.netuid, commits, block);
  const hash = commitHash(state, who, index, args.uids, args.values, args.salt, args.versionKey);
  if (commits.length === 0)
    fail(expired.includes(hash) ? 'ExpiredWeightCommit' : 'NoWeightsCommitFound');
  const found = commits.findIndex(([committed]) => committed === hash);
  if (found < 0)
    fail(expired.includes(hash) ? 'ExpiredWeightCommit' : 'InvalidRevealCommitHashNotMatch');
  if (!inRevealEpoch(state, args.netuid, commits[found][1], block)) fail('RevealTooEarly');
  storeCommits(state, index, who, commits.slice(found + 1));
  doSetWeights(ctx, args.netuid, args.uids, args.values, args.versionKey, mecid);
  ctx.deposit({ SubtensorModule: { WeightsRevealed: [who, index, hash] } });
}

function inRevealEpoch(state: State, netuid: number, commitBlock: bigint, block: number): boolean {
  return (
    revealWindow(state, netuid, Number(commitBlock)).revealEpoch ===
    epochIndex(state, netuid, block)
  );
}

/**
 * do_batch_reveal_weights (older runtimes): the lists must have one length
 * (`InputLengthsUnequal`, checked first); every reveal must match a commit in its reveal epoch
 * before any applies; then each is applied in order (its commit alone removed) and one
 * `WeightsBatchRevealed` lists the hashes. A failing reveal fails the whole call.
 */
export function batchRevealWeights(
  ctx: CallContext,
  args: {
    netuid: number;
    uidsList: number[][];
    valuesList: number[][];
    saltsList: number[][];
    versionKeys: bigint[];
  },
): void {
  const { state, who, block } = ctx;
  const n = args.uidsList.length;
  if (args.valuesList.length !== n || args.saltsList.length !== n || args.versionKeys.length !== n)
    fail('InputLengthsUnequal');
  requireCommitRevealEnabled(state, args.netuid);
  const commits = hashCommits(state, args.netuid, who);
  if (!commits) return fail('NoWeightsCommitFound');
  const expired = dropExpired(state, args.netuid, commits, block);
  const hashes = args.uidsList.map((uids, i) =>
    commitHash(
      state,
      who,
      args.netuid,
      uids,
      args.valuesList[i],
      args.saltsList[i],
      args.versionKeys[i],
    ),
  );
  const missing = (hash: string) =>
    fail(expired.includes(hash) ? 'ExpiredWeightCommit' : 'InvalidRevealCommitHashNotMatch');
  for (const hash of hashes) {
    const commit = commits.find(([committed]) => committed === hash);
    if (!commit) return missing(hash);
    if (!inRevealEpoch(state, args.netuid, commit[1], block)) fail('RevealTooEarly');
  }
  hashes.forEach((hash, i) => {
    const index = commits.findIndex(([committed]) => committed === hash);
    if (index < 0) return missing(hash); // the same commit revealed twice in one batch
    commits.splice(index, 1);
    doSetWeights(ctx, args.netuid, args.uidsList[i], args.valuesList[i], args.versionKeys[i]);
  });
  storeCommits(state, args.netuid, who, commits);
  ctx.deposit({ SubtensorModule: { WeightsBatchRevealed: [who, args.netuid, hashes] } });
}

export function commitTimelockedWeights(
  ctx: CallContext,
  args: {
    netuid: number;
    commit: Uint8Array;
    revealRound: bigint;
    commitRevealVersion: number;
    mecid?: number;
  },
  lastStoredRound: bigint,
): void {
  const { state, who, block } = ctx;
  const index = storageIndex(args.netuid, args.mecid ?? 0);
  if (args.mecid !== undefined) requireMechanism(state, args.netuid, args.mecid);
  requireCommitRevealEnabled(state, args.netuid);
  if (args.commitRevealVersion !== num(q(state, 'commitRevealWeightsVersion')))
    fail('IncorrectCommitRevealVersion');
  const uid = requireRegistered(state, args.netuid, who);
  if (args.revealRound < lastStoredRound) fail('InvalidRevealRound');
  requireCommitAllowed(state, args.netuid, uid, block, index);
  const epoch = epochIndex(state, args.netuid, block);
  const queue =
    (q(state, 'timelockedWeightCommits', index, epoch)?.toJSON() as unknown[] | null) ?? [];
  queue.push([who, block, u8aToHex(args.commit), args.revealRound]);
  state.set(PALLET, 'timelockedWeightCommits', [index, epoch], queue);
  setLastUpdate(state, args.netuid, uid, block, index);
  const hash = u8aToHex(blake2AsU8a(args.commit, 256));
  ctx.deposit({
    SubtensorModule: { TimelockedWeightsCommitted: [who, index, hash, args.revealRound] },
  });
}

/** A timelocked commit waiting for its round, as stored in TimelockedWeightCommits. */
export interface TimelockedCommit {
  netuid: number;
  /** The mechanism (0: the subnet's main one); the queue is kept at its storage index. */
  mecid: number;
  epoch: number;
  who: string;
  commitBlock: number;
  ciphertext: Uint8Array;
  revealRound: bigint;
}

/** Every stored timelocked commit; keys are Twox64Concat(netuid u16) ++ Twox64Concat(epoch u64). */
export function timelockedCommits(state: State): TimelockedCommit[] {
  const prefix = state.runtime.storagePrefix(PALLET, 'timelockedWeightCommits');
  const commits: TimelockedCommit[] = [];
  for (const key of state.keys(prefix)) {
    const bytes = hexToU8a(key).subarray(hexToU8a(prefix).length);
    const index = u8aToNumber(bytes.subarray(8, 10));
    const netuid = index % GLOBAL_MAX_SUBNET_COUNT;
    const mecid = Math.floor(index / GLOBAL_MAX_SUBNET_COUNT);
    const epoch = Number(u8aToBigInt(bytes.subarray(18, 26)));
    const queue = state.get(PALLET, 'timelockedWeightCommits', index, epoch) as unknown as Array<
      [Codec, Codec, Codec & { toU8a(bare: true): Uint8Array }, Codec]
    >;
    for (const [who, commitBlock, ciphertext, revealRound] of queue) {
      commits.push({
        netuid,
        mecid,
        epoch,
        who: who.toString(),
        commitBlock: num(commitBlock),
        ciphertext: ciphertext.toU8a(true),
        revealRound: BigInt(revealRound.toString()),
      });
    }
  }
  return commits;
}

/** A commit is revealed once its reveal epoch has come, as on chain. */
export function timelockedCommitDue(
  state: State,
  commit: TimelockedCommit,
  block: number,
): boolean {
  const period = num(q(state, 'revealPeriodEpochs', commit.netuid));
  return epochIndex(state, commit.netuid, block) >= commit.epoch + period;
}

export function removeTimelockedCommit(state: State, commit: TimelockedCommit): void {
  const index = storageIndex(commit.netuid, commit.mecid);
  const queue = timelockedCommits(state).filter(
    (c) =>
      c.netuid === commit.netuid &&
      c.mecid === commit.mecid &&
      c.epoch === commit.epoch &&
      c !== commit &&
      !sameCommit(c, commit),
  );
  if (queue.length === 0) {
    state.remove(PALLET, 'timelockedWeightCommits', index, commit.epoch);
  } else {
    state.set(
      PALLET,
      'timelockedWeightCommits',
      [index, commit.epoch],
      queue.map((c) => [c.who, c.commitBlock, u8aToHex(c.ciphertext), c.revealRound]),
    );
  }
}

function sameCommit(a: TimelockedCommit, b: TimelockedCommit): boolean {
  return (
    a.who === b.who &&
    a.commitBlock === b.commitBlock &&
    u8aToHex(a.ciphertext) === u8aToHex(b.ciphertext)
  );
}

/**
 * Applies a decrypted timelocked commit: the SCALE payload {hotkey, uids, values, version_key}
 * must name the committing hotkey; then the weights are set as a reveal sets them.
 */
export function revealTimelocked(
  ctx: CallContext,
  commit: TimelockedCommit,
  payload: Uint8Array,
): void {
  const decoded = ctx.state.runtime.registry
    .createType('(Vec<u8>, Vec<u16>, Vec<u16>, u64)', payload)
    .toJSON() as [string, number[], number[], number];
  const [hotkey, uids, values, versionKey] = decoded;
  if (hotkey !== u8aToHex(ctx.who.toU8a()))
    throw new Error('payload hotkey differs from the committer');
  doSetWeights(ctx, commit.netuid, uids, values, BigInt(versionKey), commit.mecid);
  ctx.deposit({
    SubtensorModule: {
      TimelockedWeightsRevealed: [storageIndex(commit.netuid, commit.mecid), ctx.who],
    },
  });
}
