/**
 * Development controls: set up subnets and neurons, change hyperparameters, move the chain
 * forward, and inject faults. Served as `devnet_*` RPC methods and used directly in-process.
 * State changes apply to the best block's state and are seen by the next block.
 */
import type { Chain } from './chain';
import { RpcError } from './errors';
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

/** Per-subnet items a control may set, and global ones. */
const SUBNET_ITEMS = new Set([
  'tempo',
  'minAllowedWeights',
  'maxWeightsLimit',
  'weightsSetRateLimit',
  'weightsVersionKey',
  'commitRevealWeightsEnabled',
  'revealPeriodEpochs',
  'mechanismCountCurrent',
  'subnetOwnerHotkey',
]);
const GLOBAL_ITEMS = new Set(['stakeThreshold', 'commitRevealWeightsVersion']);

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
    return this.chain.bestState;
  }

  createSubnet(params: SubnetParams): { netuid: number } {
    const { netuid } = params;
    if (!Number.isInteger(netuid) || netuid <= 0 || netuid > 65535) fail('netuid must be 1..65535');
    if (this.state.get(PALLET, 'networksAdded', netuid)?.toString() === 'true')
      fail(`subnet ${netuid} exists`);
    this.chain.mutateBestState((state) => {
      state.set(PALLET, 'networksAdded', [netuid], true);
      state.set(PALLET, 'tempo', [netuid], params.tempo ?? 360);
      state.set(PALLET, 'minAllowedWeights', [netuid], params.minAllowedWeights ?? 1);
      state.set(PALLET, 'maxWeightsLimit', [netuid], params.maxWeightsLimit ?? 65535);
      state.set(PALLET, 'weightsSetRateLimit', [netuid], params.weightsSetRateLimit ?? 100);
      state.set(PALLET, 'weightsVersionKey', [netuid], params.weightsVersionKey ?? 0);
      state.set(
        PALLET,
        'commitRevealWeightsEnabled',
        [netuid],
        params.commitRevealWeightsEnabled ?? true,
      );
      state.set(PALLET, 'revealPeriodEpochs', [netuid], params.revealPeriodEpochs ?? 1);
      state.set(PALLET, 'mechanismCountCurrent', [netuid], 1);
      if (params.owner) state.set(PALLET, 'subnetOwnerHotkey', [netuid], params.owner);
    });
    this.maxUids.set(netuid, params.maxAllowedUids ?? 4096);
    return { netuid };
  }

  /**
   * Registers a hotkey as a neuron: the next uid while the subnet has room, as on chain; when it
   * is full, or when `replaceUid` is given, that uid's neuron is replaced (its weights, permit and
   * last update cleared). Registered hotkeys can sign (their account exists).
   */
  registerNeuron(netuid: number, hotkey: string, replaceUid?: number): { uid: number } {
    this.requireSubnet(netuid);
    if (this.state.get(PALLET, 'uids', netuid, hotkey) !== undefined)
      fail(`${hotkey} is already registered on ${netuid}`);
    const n = Number(this.state.value(PALLET, 'subnetworkN', netuid).toString());
    const full = n >= (this.maxUids.get(netuid) ?? 4096);
    if (full && replaceUid === undefined) fail(`subnet ${netuid} is full: pass replaceUid`);
    const uid = replaceUid ?? n;
    if (uid > n || (uid === n && full)) fail(`uid ${uid} is not on subnet ${netuid}`);
    this.chain.mutateBestState((state) => {
      if (uid < n) {
        const previous = state.value(PALLET, 'keys', netuid, uid).toString();
        state.remove(PALLET, 'uids', netuid, previous);
        state.remove(PALLET, 'weights', netuid, uid);
      } else {
        state.set(PALLET, 'subnetworkN', [netuid], n + 1);
      }
      state.set(PALLET, 'keys', [netuid, uid], hotkey);
      state.set(PALLET, 'uids', [netuid, hotkey], uid);
      this.setVectorEntry(state, 'lastUpdate', netuid, uid, 0, n + (uid === n ? 1 : 0));
      this.setVectorEntry(state, 'validatorPermit', netuid, uid, false, n + (uid === n ? 1 : 0));
      this.ensureAccount(state, hotkey);
    });
    return { uid };
  }

  setValidatorPermit(netuid: number, uid: number, permit: boolean): void {
    const n = this.requireUid(netuid, uid);
    this.chain.mutateBestState((state) =>
      this.setVectorEntry(state, 'validatorPermit', netuid, uid, permit, n),
    );
  }

  setStake(netuid: number, hotkey: string, amount: number | string): void {
    this.requireSubnet(netuid);
    this.chain.mutateBestState((state) =>
      state.set(PALLET, 'totalHotkeyAlpha', [hotkey, netuid], BigInt(amount)),
    );
  }

  /** Sets a subnet hyperparameter (with netuid) or a global one (netuid null). */
  setHyperparameter(name: string, netuid: number | null, value: unknown): void {
    if (netuid === null) {
      if (!GLOBAL_ITEMS.has(name))
        fail(`unknown global parameter ${name}; one of ${[...GLOBAL_ITEMS].join(', ')}`);
      this.chain.mutateBestState((state) => state.set(PALLET, name, [], value));
      return;
    }
    if (!SUBNET_ITEMS.has(name))
      fail(`unknown subnet parameter ${name}; one of ${[...SUBNET_ITEMS].join(', ')}`);
    this.requireSubnet(netuid);
    this.chain.mutateBestState((state) => state.set(PALLET, name, [netuid], value));
  }

  /** Gives an account a provider reference so it can sign (dev accounts that are not neurons). */
  endowAccount(address: string): void {
    this.chain.mutateBestState((state) => this.ensureAccount(state, address));
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

  private setVectorEntry(
    state: State,
    item: string,
    netuid: number,
    uid: number,
    value: unknown,
    length: number,
  ): void {
    const vector = (state.get(PALLET, item, netuid)?.toJSON() as unknown[] | null) ?? [];
    while (vector.length < length) vector.push(typeof value === 'boolean' ? false : 0);
    vector[uid] = value;
    state.set(PALLET, item, [netuid], vector);
  }

  private ensureAccount(state: State, address: string): void {
    const account = state.value('system', 'account', address).toJSON() as { providers: number };
    if (account.providers === 0)
      state.set('system', 'account', [address], { ...account, providers: 1 });
  }
}
