/**
 * Development controls: set up subnets and neurons, change hyperparameters, move the chain
 * forward, and inject faults. Served as `devnet_*` RPC methods and used directly in-process.
 * State changes apply to the best block's state and are seen by the next block.
 */
import type { Chain } from './chain';
import { RpcError } from './errors';
import { stringCamelCase } from '@polkadot/util';
import { epochIndex, firstBlockOfEpoch } from './pallets/subtensor';
import type { State } from './state';

const PALLET = 'subtensorModule';

export interface SubnetParams {
  netuid: number;
  tempo?: number;
  minAllowedWeights?: number;
  maxWeightsLimit?: number;
  weightsSetRateLimit?: number;
  weightsVersionKey?: number;
  commitRevealWeightsEnabled?: boolean;
  revealPeriodEpochs?: number;
  /** Neurons the subnet holds before a registration replaces one (default 4096). */
  maxAllowedUids?: number;
  owner?: string;
}

/** Per-subnet items a control may set, and global ones (where the runtime has them). */
const SUBNET_ITEMS = new Set([
  'tempo',
  'minAllowedWeights',
  'maxWeightsLimit',
  'weightsSetRateLimit',
  'weightsVersionKey',
  'commitRevealWeightsEnabled',
  'revealPeriodEpochs',
  'activityCutoff',
  'mechanismCountCurrent',
  'mechanismEmissionSplit',
  'subnetOwnerHotkey',
]);
const GLOBAL_ITEMS = new Set(['stakeThreshold', 'weightsMinStake', 'commitRevealWeightsVersion']);

const fail = (message: string): never => {
  throw new RpcError(-32602, `devnet: ${message}`);
};

export class Controls {
  private readonly maxUids = new Map<number, number>();

  constructor(
    private readonly chain: Chain,
    private readonly dropAll: () => number = () => 0,
  ) {}

  private get state(): State {
    return this.chain.nextState;
  }

  createSubnet(params: SubnetParams): { netuid: number } {
    const { netuid } = params;
    if (!Number.isInteger(netuid) || netuid <= 0 || netuid > 65535) fail('netuid must be 1..65535');
    const { state } = this;
    if (state.get(PALLET, 'networksAdded', netuid)?.toString() === 'true')
      fail(`subnet ${netuid} exists`);
    const set = (item: string, value: unknown) => state.set(PALLET, item, [netuid], value);
    set('networksAdded', true);
    // TotalNetworks counts the subnets (root included from genesis), as clients read it.
    state.set(PALLET, 'totalNetworks', [], Number(state.value(PALLET, 'totalNetworks')) + 1);
    const { newSubnet } = this.chain.runtime.profile;
    set('tempo', params.tempo ?? newSubnet.tempo);
    set('minAllowedWeights', params.minAllowedWeights ?? 1);
    set('maxWeightsLimit', params.maxWeightsLimit ?? 65535);
    set('weightsSetRateLimit', params.weightsSetRateLimit ?? 100);
    set('weightsVersionKey', params.weightsVersionKey ?? 0);
    set(
      'commitRevealWeightsEnabled',
      params.commitRevealWeightsEnabled ?? newSubnet.commitRevealWeightsEnabled,
    );
    set('revealPeriodEpochs', params.revealPeriodEpochs ?? 1);
    if (this.chain.runtime.profile.mechanisms) set('mechanismCountCurrent', 1);
    if (params.owner) set('subnetOwnerHotkey', params.owner);
    this.maxUids.set(netuid, params.maxAllowedUids ?? 4096);
    return { netuid };
  }

  /**
   * Registers a hotkey as a neuron: the next uid while the subnet has room, as on chain; when it
   * is full, or when `replaceUid` is given, that uid's neuron is replaced (its weights and permit
   * cleared). As the runtime's registration, it sets the uid's `LastUpdate` to the registration
   * block (the next block, where the change lands), so the new neuron may set weights only
   * `WeightsSetRateLimit` blocks later; a replaced uid's entry follows the profile
   * (`replacedLastUpdate`: set likewise on `current`, kept as the replaced neuron left it on
   * `hash-commit-reveal`). Registered hotkeys can sign (their account exists).
   */
  registerNeuron(netuid: number, hotkey: string, replaceUid?: number): { uid: number } {
    const [uid] = this.register(netuid, [hotkey], replaceUid);
    return { uid };
  }

  /** Registers many hotkeys at once, at the next free uids (for large subnets in benchmarks). */
  registerNeurons(netuid: number, hotkeys: string[]): { uids: number[] } {
    return { uids: this.register(netuid, hotkeys) };
  }

  private register(netuid: number, hotkeys: string[], replaceUid?: number): number[] {
    this.requireSubnet(netuid);
    const { state } = this;
    let n = Number(state.value(PALLET, 'subnetworkN', netuid).toString());
    const max = this.maxUids.get(netuid) ?? 4096;
    const lastUpdate = this.vector(state, 'lastUpdate', netuid, n, 0);
    const permits = this.vector(state, 'validatorPermit', netuid, n, false);
    // append_neuron / replace_neuron get the number of the block the registration is in.
    const block = this.chain.best.number + 1;
    const { replacedLastUpdate } = this.chain.runtime.profile;
    const uids: number[] = [];
    for (const hotkey of hotkeys) {
      if (state.get(PALLET, 'uids', netuid, hotkey) !== undefined)
        fail(`${hotkey} is already registered on ${netuid}`);
      if (n >= max && replaceUid === undefined) fail(`subnet ${netuid} is full: pass replaceUid`);
      const uid = replaceUid ?? n;
      if (uid > n || (uid === n && n >= max)) fail(`uid ${uid} is not on subnet ${netuid}`);
      if (uid < n) {
        state.remove(PALLET, 'uids', netuid, state.value(PALLET, 'keys', netuid, uid).toString());
        state.remove(PALLET, 'weights', netuid, uid);
        if (replacedLastUpdate === 'registration-block') lastUpdate[uid] = block;
      } else {
        n += 1;
        lastUpdate[uid] = block;
      }
      state.set(PALLET, 'keys', [netuid, uid], hotkey);
      state.set(PALLET, 'uids', [netuid, hotkey], uid);
      state.set(PALLET, 'isNetworkMember', [hotkey, netuid], true);
      permits[uid] = false;
      this.ensureAccount(state, hotkey);
      uids.push(uid);
    }
    state.set(PALLET, 'subnetworkN', [netuid], n);
    state.set(PALLET, 'lastUpdate', [netuid], lastUpdate);
    state.set(PALLET, 'validatorPermit', [netuid], permits);
    return uids;
  }

  setValidatorPermit(netuid: number, uid: number, permit: boolean): void {
    const n = this.requireUid(netuid, uid);
    const permits = this.vector(this.state, 'validatorPermit', netuid, n, false);
    permits[uid] = permit;
    this.state.set(PALLET, 'validatorPermit', [netuid], permits);
  }

  setStake(netuid: number, hotkey: string, amount: number | string): void {
    this.requireSubnet(netuid);
    this.state.set(PALLET, 'totalHotkeyAlpha', [hotkey, netuid], BigInt(amount));
  }

  /**
   * Sets a subnet hyperparameter (with netuid) or a global one (netuid null), of those the runtime
   * has. `stakeThreshold` sets the runtime's minimum stake item, whatever its name
   * (`WeightsMinStake` on older runtimes).
   */
  setHyperparameter(name: string, netuid: number | null, value: unknown): void {
    const has = (item: string) => this.chain.runtime.decorated.query[PALLET]?.[item] !== undefined;
    if (netuid === null) {
      const globals = [...GLOBAL_ITEMS].filter((item) => item === 'stakeThreshold' || has(item));
      if (!globals.includes(name))
        fail(`unknown global parameter ${name}; one of ${globals.join(', ')}`);
      const item =
        name === 'stakeThreshold' ? stringCamelCase(this.chain.runtime.profile.stakeItem) : name;
      this.state.set(PALLET, item, [], value);
      return;
    }
    const items = [...SUBNET_ITEMS].filter(has);
    if (!items.includes(name)) fail(`unknown subnet parameter ${name}; one of ${items.join(', ')}`);
    this.requireSubnet(netuid);
    this.state.set(PALLET, name, [netuid], value);
  }

  /**
   * Writes raw storage (hex key → hex SCALE value, null removes), as chopsticks' dev_setStorage:
   * for putting the same state on devnet as on another chain (the conformance tests).
   */
  setStorageRaw(pairs: ReadonlyArray<[string, string | null]>): void {
    for (const [key, value] of pairs)
      this.state.setRaw(key as `0x${string}`, value as `0x${string}` | null);
  }

  /** Gives an account a provider reference so it can sign (dev accounts that are not neurons). */
  endowAccount(address: string): void {
    this.ensureAccount(this.state, address);
  }

  /** True while block production is stalled, on the timer and on demand alike. */
  stalled = false;

  /** Produces `count` blocks at once (each advances the chain clock by one block time). */
  advanceBlocks(count = 1): { best: number } {
    if (this.stalled) throw new RpcError(-32000, 'devnet: block production is stalled');
    if (!Number.isInteger(count) || count < 1 || count > 100_000) fail('count must be 1..100000');
    for (let i = 0; i < count; i++) this.chain.produceBlock();
    return { best: this.chain.best.number };
  }

  /** Produces blocks until the subnet's next epoch starts (useful for commit-reveal). */
  advanceToNextEpoch(netuid: number): { best: number; epoch: number } {
    this.requireSubnet(netuid);
    const epoch = epochIndex(this.state, netuid, this.chain.best.number) + 1;
    const target = firstBlockOfEpoch(this.state, netuid, epoch);
    if (target > this.chain.best.number) this.advanceBlocks(target - this.chain.best.number);
    return { best: this.chain.best.number, epoch };
  }

  dropConnections(): { dropped: number } {
    return { dropped: this.dropAll() };
  }

  /** Refuses every submission with `1010 Invalid Transaction: Custom(code)`, or stops refusing (null). */
  refuseSubmissions(code: number | null): void {
    this.chain.faults.refuseCustom = code;
  }

  /** Delays the answer to every submission by `ms`. */
  delaySubmissions(ms: number): void {
    this.chain.faults.submitDelayMs = ms;
  }

  setFinalityLag(blocks: number): void {
    this.chain.finalityLag = blocks;
  }

  /**
   * Models a pruning node: from now on, state queries at a block more than `blocks` behind the
   * best block fail with `4003 … State already discarded for 0x…` (null: no window). Headers and
   * bodies stay available.
   */
  setStateWindow(blocks: number | null): { stateWindow: number | null } {
    if (blocks !== null && (!Number.isInteger(blocks) || blocks < 0))
      fail('the state window must be a whole number of blocks, or null for none');
    this.chain.stateWindow = blocks;
    return { stateWindow: blocks };
  }

  private requireSubnet(netuid: number): void {
    if (this.state.get(PALLET, 'networksAdded', netuid)?.toString() !== 'true')
      fail(`subnet ${netuid} does not exist`);
  }

  private requireUid(netuid: number, uid: number): number {
    this.requireSubnet(netuid);
    const n = Number(this.state.value(PALLET, 'subnetworkN', netuid).toString());
    if (!Number.isInteger(uid) || uid < 0 || uid >= n)
      fail(`uid ${uid} is not on subnet ${netuid}`);
    return n;
  }

  /** A per-uid vector (LastUpdate, ValidatorPermit) padded to `length` entries. */
  private vector<T>(state: State, item: string, netuid: number, length: number, fill: T): T[] {
    const vector = (state.get(PALLET, item, netuid)?.toJSON() as T[] | null) ?? [];
    while (vector.length < length) vector.push(fill);
    return vector;
  }

  private ensureAccount(state: State, address: string): void {
    const account = state.value('system', 'account', address).toJSON() as { providers: number };
    if (account.providers === 0)
      state.set('system', 'account', [address], { ...account, providers: 1 });
  }
}
