/**
 * Blocks, the transaction pool and block production. Each block applies the pool's ready
 * extrinsics in order to a copy of its parent's state, deposits System events exactly as a
 * FRAME runtime does (ApplyExtrinsic phase, ExtrinsicSuccess / ExtrinsicFailed with a module
 * error), and keeps its state so that queries at older blocks work. Finality trails the best
 * block by a configurable lag.
 */
import { EventEmitter } from 'node:events';
import type { GenericExtrinsic } from '@polkadot/types';
import type { AccountId32, Header } from '@polkadot/types/interfaces';
import type { Codec } from '@polkadot/types/types';
import { hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import {
  blake2AsHex,
  blake2AsU8a,
  decodeAddress,
  ed25519Verify,
  sr25519Verify,
} from '@polkadot/util-crypto';
import { ModuleError, type CallContext, type RuntimeEvent } from './dispatch';
import { CUSTOM, invalidTransaction, RpcError } from './errors';
import { BLOCK_HASH_COUNT, PALLETS } from './metadata/build';
import { Beacon } from './pallets/drand';
import * as subtensor from './pallets/subtensor';
import { runtimeProfile, type RuntimeProfileName } from './profiles';
import { Runtime, type Hex } from './runtime';
import { State } from './state';

/** `aura` as a ConsensusEngineId. */
const AURA_ENGINE_ID = '0x61757261';

export interface ChainOptions {
  /**
   * The real runtime generation the chain mirrors (RUNTIME_PROFILES, default `current`); an
   * unknown name is an error that lists the profiles.
   */
  runtime?: RuntimeProfileName;
  /** Runtime spec version reported and signed against (default: the profile's). */
  specVersion?: number;
  /**
   * Items the served metadata leaves out, one at a time: `Pallet`, `Pallet.StorageItem` or
   * `Pallet.Constant` (PascalCase), `Pallet.call_name` (snake_case). The chain keeps using them
   * inside (its state stays whole); clients cannot see them, and an omitted call cannot be
   * submitted. An entry that names nothing in the profile is an error.
   */
  omit?: readonly string[];
  /** Chain-clock time per block, in ms (default 12 000, as subtensor). */
  blockTimeMs?: number;
  /** How many blocks finality trails the best block (default 2). */
  finalityLag?: number;
  /** Timestamp of the genesis block (default: now). */
  genesisTimeMs?: number;
  /** Block states kept for queries at older blocks (default 512). */
  keepStates?: number;
  /**
   * A pruning node's state window: state queries at a block more than this many blocks behind
   * the best block fail as on a node that discarded that state (`4003 Client error:
   * UnknownBlock: State already discarded for 0x…`); headers and bodies stay. Default: none (only
   * `keepStates` bounds what is kept).
   */
  stateWindow?: number | null;
}

export interface Block {
  number: number;
  hash: Hex;
  header: Header;
  extrinsics: Hex[];
  timestampMs: number;
  /** Undefined once discarded: only the last `keepStates` blocks keep their state. */
  state?: State;
}

export type TxStatus =
  'future' | 'ready' | { inBlock: Hex } | { finalized: Hex } | 'invalid' | 'dropped';

interface PoolEntry {
  hash: Hex;
  hex: Hex;
  extrinsic: GenericExtrinsic;
  signer: string;
  nonce: number;
  onStatus?: (status: TxStatus) => void;
}

/** A call's arguments by name (camelCase, as @polkadot/api names them). */
function callArgs(extrinsic: GenericExtrinsic): Record<string, Codec> {
  const call = extrinsic.method;
  return Object.fromEntries(call.meta.args.map((arg, i) => [arg.name.toString(), call.args[i]]));
}

export class Chain extends EventEmitter {
  readonly runtime: Runtime;
  readonly blockTimeMs: number;
  finalityLag: number;
  /** See ChainOptions.stateWindow; null: no window. Set by `devnet_setStateWindow`. */
  stateWindow: number | null;
  private readonly keepStates: number;
  private readonly blocks: Block[] = [];
  private readonly byHash = new Map<Hex, Block>();
  private pool: PoolEntry[] = [];
  private finalizedNumber = 0;
  private next?: State;
  /** Faults injected by the development controls. */
  readonly faults = { refuseCustom: null as number | null, submitDelayMs: 0 };

  private constructor(
    readonly beacon: Beacon,
    options: ChainOptions,
  ) {
    super();
    this.blockTimeMs = options.blockTimeMs ?? 12_000;
    this.runtime = new Runtime({
      profile: runtimeProfile(options.runtime),
      specVersion: options.specVersion,
      omit: options.omit,
      blockTimeMs: this.blockTimeMs,
    });
    this.finalityLag = options.finalityLag ?? 2;
    this.keepStates = options.keepStates ?? 512;
    this.stateWindow = options.stateWindow ?? null;
    const state = new State(this.runtime);
    if (this.timelocked) beacon.writeConfig(state);
    const timestampMs = options.genesisTimeMs ?? Date.now();
    state.set('timestamp', 'now', [], timestampMs);
    // The root network exists from genesis, as on subtensor.
    state.set('subtensorModule', 'networksAdded', [0], true);
    state.set('subtensorModule', 'totalNetworks', [], 1);
    state.set('subtensorModule', 'commitRevealWeightsEnabled', [0], false);
    if (this.timelocked) beacon.storePulse(state, beacon.roundAt(timestampMs));
    this.addBlock(this.seal(0, `0x${'00'.repeat(32)}`, state, [], timestampMs));
  }

  static async create(options: ChainOptions = {}): Promise<Chain> {
    return new Chain(await Beacon.create(), options);
  }

  /** Whether the runtime has timelocked commit-reveal and its drand beacon (the Drand pallet). */
  get timelocked(): boolean {
    return this.runtime.profile.timelocked;
  }

  get genesisHash(): Hex {
    return this.blocks[0].hash;
  }

  get best(): Block {
    return this.blocks[this.blocks.length - 1];
  }

  /** The best block always keeps its state. */
  get bestState(): State {
    const { state } = this.best;
    if (!state) throw new Error('the best block always keeps its state');
    return state;
  }

  get finalized(): Block {
    return this.blocks[this.finalizedNumber];
  }

  block(hashOrNumber: Hex | number | undefined): Block | undefined {
    if (hashOrNumber === undefined) return this.best;
    if (typeof hashOrNumber === 'number') return this.blocks[hashOrNumber];
    return this.byHash.get(hashOrNumber.toLowerCase() as Hex);
  }

  /**
   * State at a block (the best block when no hash is given), or the error a pruning node answers
   * when it has discarded it: the block is older than the state window, or past `keepStates`.
   * The wording is Substrate's: the backend's `state_at` fails with
   * `sp_blockchain::Error::UnknownBlock("State already discarded for {hash:?}")`, which the state
   * RPC wraps as `4003 Client error: …` (sc-client-db, sc-rpc-api state errors).
   */
  stateAt(hash: Hex | undefined): State {
    const block = this.block(hash);
    if (!block)
      throw new RpcError(
        4003,
        `Client error: UnknownBlock: Header was not found in the database: ${hash}`,
      );
    if (!block.state || !this.stateKept(block.number))
      throw new RpcError(
        4003,
        `Client error: UnknownBlock: State already discarded for ${block.hash}`,
      );
    return block.state;
  }

  /** Whether the state of block `number` is still queryable (within the state window). */
  stateKept(number: number): boolean {
    return this.stateWindow === null || number >= this.best.number - this.stateWindow;
  }

  /**
   * The state the next block starts from: the best block's state plus development changes made
   * since it (controls), which therefore take effect in the next block, like a sudo call. Blocks
   * already produced never change.
   */
  get nextState(): State {
    this.next ??= this.bestState.clone();
    return this.next;
  }

  accountNonce(address: string): number {
    const onChain = Number(
      (this.bestState.value('system', 'account', address).toJSON() as { nonce: number }).nonce,
    );
    const pending = this.pool.filter((e) => e.signer === address).map((e) => e.nonce);
    let next = onChain;
    while (pending.includes(next)) next++;
    return next;
  }

  // --- Transaction pool ---------------------------------------------------------------------

  pendingExtrinsics(): Hex[] {
    return this.pool.map((entry) => entry.hex);
  }

  /** Forgets every pooled extrinsic, as a node restart does; their watchers hear nothing more. */
  clearPool(): void {
    this.pool = [];
  }

  /** Validates and pools a signed extrinsic; rejects as a node does (RpcError 1010, 1013, 1014). */
  async submit(hex: Hex, onStatus?: (status: TxStatus) => void): Promise<Hex> {
    if (this.faults.submitDelayMs > 0)
      await new Promise((r) => setTimeout(r, this.faults.submitDelayMs));
    let extrinsic: GenericExtrinsic;
    try {
      extrinsic = this.runtime.registry.createType('Extrinsic', hex) as unknown as GenericExtrinsic;
    } catch (error) {
      throw new RpcError(
        1002,
        `Verification Error: Runtime error: Could not decode \`Extrinsic\`: ${String(error)}`,
      );
    }
    const { section, method } = extrinsic.method;
    if (!this.runtime.servesCall(section, method)) {
      // A runtime without the call cannot decode it.
      const [pallet, call] = extrinsic.callIndex;
      throw new RpcError(
        1002,
        `Verification Error: Runtime error: Could not decode \`Extrinsic\`: Could not decode \`RuntimeCall\`: variant ${call} of pallet ${pallet} does not exist`,
      );
    }
    const hash = blake2AsHex(hexToU8a(hex), 256) as Hex;
    if (this.pool.some((e) => e.hash === hash)) throw invalidTransaction.alreadyImported();
    if (!extrinsic.isSigned) throw invalidTransaction.call();
    if (this.faults.refuseCustom !== null)
      throw invalidTransaction.custom(this.faults.refuseCustom);

    const state = this.bestState;
    const signer = extrinsic.signer.toString();
    const account = state.value('system', 'account', signer).toJSON() as {
      nonce: number;
      providers: number;
      sufficients: number;
    };
    if (account.providers === 0 && account.sufficients === 0) throw invalidTransaction.payment();
    this.verifySignature(extrinsic);
    const nonce = extrinsic.nonce.toNumber();
    if (nonce < account.nonce) throw invalidTransaction.stale();
    if (this.pool.some((e) => e.signer === signer && e.nonce === nonce))
      throw invalidTransaction.priorityTooLow();
    this.checkExtension(extrinsic, state);

    const entry: PoolEntry = { hash, hex, extrinsic, signer, nonce, onStatus };
    this.pool.push(entry);
    onStatus?.(
      nonce === this.accountNonce(signer) - 1 || nonce === account.nonce ? 'ready' : 'future',
    );
    this.emit('submitted', hash);
    return hash;
  }

  /** Signature over the payload with this chain's spec, genesis and era birth block. */
  private verifySignature(extrinsic: GenericExtrinsic): void {
    const era = extrinsic.era;
    let blockHash = this.genesisHash;
    if (era.isMortalEra) {
      // Validation runs as if in the next block, like a node's validate_transaction.
      const current = this.best.number + 1;
      const birth = era.asMortalEra.birth(current);
      const birthBlock = this.blocks[birth];
      if (!birthBlock || current - birth > BLOCK_HASH_COUNT || birth > this.best.number) {
        throw invalidTransaction.ancientBirthBlock();
      }
      blockHash = birthBlock.hash;
    }
    const { version } = this.runtime;
    const payload = this.runtime.registry.createType(
      'ExtrinsicPayload',
      {
        method: extrinsic.method.toHex(),
        era,
        nonce: extrinsic.nonce,
        tip: extrinsic.tip,
        specVersion: version.specVersion,
        transactionVersion: version.transactionVersion,
        genesisHash: this.genesisHash,
        blockHash,
      },
      { version: extrinsic.type },
    );
    const encoded = payload.toU8a({ method: true });
    const message = encoded.length > 256 ? blake2AsU8a(encoded, 256) : encoded;
    const signature = (extrinsic.inner.signature as unknown as { multiSignature: unknown })
      .multiSignature as {
      isSr25519: boolean;
      isEd25519: boolean;
      asSr25519: Codec;
      asEd25519: Codec;
    };
    const publicKey = decodeAddress(extrinsic.signer.toString());
    let valid = false;
    try {
      valid = signature.isSr25519
        ? sr25519Verify(message, signature.asSr25519.toU8a(), publicKey)
        : signature.isEd25519 && ed25519Verify(message, signature.asEd25519.toU8a(), publicKey);
    } catch {
      // Bytes that are not a curve point at all: as bad as a wrong signature.
    }
    if (!valid) throw invalidTransaction.badProof();
  }

  /**
   * Subtensor's transaction (or signed) extension, validate: stake for weight calls, with the
   * profile's code per call, and the reveal round of a timelocked commit.
   */
  private checkExtension(extrinsic: GenericExtrinsic, state: State): void {
    const { section, method } = extrinsic.method;
    const code = this.runtime.profile.stakeRejection[method];
    if (section !== 'subtensorModule' || code === undefined) return;
    const args = callArgs(extrinsic);
    if (
      !subtensor.hasEnoughStake(state, Number(args.netuid.toString()), extrinsic.signer.toString())
    ) {
      throw invalidTransaction.custom(code);
    }
    if (method === 'commitTimelockedWeights' || method === 'commitTimelockedMechanismWeights') {
      const last = BigInt(state.value('drand', 'lastStoredRound').toString());
      if (BigInt(args.revealRound.toString()) < last)
        throw invalidTransaction.custom(CUSTOM.InvalidRevealRound);
    }
  }

  // --- Block production ---------------------------------------------------------------------

  /** Builds, imports and announces the next block. */
  produceBlock(): Block {
    const parent = this.best;
    const number = parent.number + 1;
    const timestampMs = parent.timestampMs + this.blockTimeMs;
    const state = this.nextState;
    this.next = undefined;
    const events: unknown[] = [];
    state.set('system', 'number', [], number);
    state.set('system', 'parentHash', [], parent.hash);
    state.set('system', 'blockHash', [parent.number], parent.hash);
    state.set('timestamp', 'now', [], timestampMs);

    if (this.timelocked) {
      const round = this.beacon.roundAt(timestampMs);
      this.beacon.storePulse(state, round);
      this.revealTimelockedCommits(state, number, round, events);
    }

    const included: PoolEntry[] = [];
    for (const entry of this.readyInOrder(state)) {
      const index = included.length;
      included.push(entry);
      this.applyExtrinsic(state, number, entry, index, events);
    }
    state.set('system', 'events', [], events);
    state.set('system', 'eventCount', [], events.length);

    const block = this.seal(
      number,
      parent.hash,
      state,
      included.map((e) => e.hex),
      timestampMs,
    );
    this.addBlock(block);
    this.pool = this.pool.filter((e) => !included.includes(e));
    for (const entry of included) entry.onStatus?.({ inBlock: block.hash });
    this.pendingFinality.push(...included.map((entry) => ({ entry, block })));
    this.emit('newHead', block);
    this.advanceFinality();
    return block;
  }

  /** Included extrinsics whose watchers wait for their block's finality. */
  private pendingFinality: Array<{ entry: PoolEntry; block: Block }> = [];

  private advanceFinality(): void {
    const target = Math.max(0, this.best.number - this.finalityLag);
    if (target <= this.finalizedNumber) return;
    this.finalizedNumber = target;
    const done = this.pendingFinality.filter(({ block }) => block.number <= target);
    this.pendingFinality = this.pendingFinality.filter((pending) => !done.includes(pending));
    for (const { entry, block } of done) entry.onStatus?.({ finalized: block.hash });
    this.emit('finalized', this.finalized);
  }

  /** Pool entries whose nonce is next for their signer, in submission order, chained per signer. */
  private readyInOrder(state: State): PoolEntry[] {
    const next = new Map<string, number>();
    const ready: PoolEntry[] = [];
    let progress = true;
    while (progress) {
      progress = false;
      for (const entry of this.pool) {
        if (ready.includes(entry)) continue;
        if (!next.has(entry.signer)) {
          next.set(
            entry.signer,
            Number(
              (state.value('system', 'account', entry.signer).toJSON() as { nonce: number }).nonce,
            ),
          );
        }
        if (entry.nonce === next.get(entry.signer)) {
          ready.push(entry);
          next.set(entry.signer, entry.nonce + 1);
          progress = true;
        }
      }
    }
    // Entries whose nonce was used by another extrinsic can never apply.
    for (const entry of this.pool) {
      if (!ready.includes(entry) && entry.nonce < (next.get(entry.signer) ?? 0)) {
        entry.onStatus?.('invalid');
        this.pool = this.pool.filter((e) => e !== entry);
      }
    }
    return ready;
  }

  private applyExtrinsic(
    state: State,
    block: number,
    entry: PoolEntry,
    index: number,
    events: unknown[],
  ): void {
    const account = state.value('system', 'account', entry.signer).toJSON() as Record<
      string,
      unknown
    >;
    state.set('system', 'account', [entry.signer], { ...account, nonce: entry.nonce + 1 });
    const phase = { ApplyExtrinsic: index };
    const dispatchInfo = { weight: { refTime: 0, proofSize: 0 }, class: 'Normal', paysFee: 'No' };
    const callEvents: unknown[] = [];
    const scratch = state.clone();
    const ctx: CallContext = {
      state: scratch,
      who: this.runtime.registry.createType<AccountId32>('AccountId32', entry.signer),
      block,
      deposit: (event: RuntimeEvent) => callEvents.push(this.record(phase, event)),
    };
    try {
      this.dispatch(ctx, entry.extrinsic);
      state.adopt(scratch);
      events.push(
        ...callEvents,
        this.record(phase, { System: { ExtrinsicSuccess: { dispatchInfo } } }),
      );
    } catch (error) {
      if (!(error instanceof ModuleError)) throw error;
      events.push(
        this.record(phase, {
          System: { ExtrinsicFailed: { dispatchError: this.moduleError(error), dispatchInfo } },
        }),
      );
    }
  }

  /** An EventRecord as System.Events stores it. */
  private record(phase: unknown, event: RuntimeEvent) {
    return { phase, event: this.runtime.encodeEvent(event), topics: [] };
  }

  private moduleError(error: ModuleError) {
    const meta = this.runtime.decorated.errors[error.pallet]?.[error.error]?.meta;
    if (!meta) throw new Error(`unknown error ${error.message}`);
    const index =
      PALLETS[
        (error.pallet.charAt(0).toUpperCase() + error.pallet.slice(1)) as keyof typeof PALLETS
      ];
    return { Module: { index, error: [meta.index.toNumber(), 0, 0, 0] } };
  }

  private dispatch(ctx: CallContext, extrinsic: GenericExtrinsic): void {
    const { section, method } = extrinsic.method;
    const args = callArgs(extrinsic);
    const n = (name: string) => Number(args[name].toString());
    const list = (name: string) => (args[name].toJSON() as number[]).map(Number);
    const big = (name: string) => BigInt(args[name].toString());
    if (section === 'system' && method === 'remark') return;
    if (section !== 'subtensorModule') throw new ModuleError('system', 'CallFiltered');
    switch (method) {
      case 'setWeights':
      case 'setMechanismWeights':
        return subtensor.setWeights(ctx, {
          netuid: n('netuid'),
          dests: list('dests'),
          weights: list('weights'),
          versionKey: big('versionKey'),
          mecid: args.mecid === undefined ? undefined : n('mecid'),
        });
      case 'commitMechanismWeights':
        return subtensor.commitWeights(ctx, {
          netuid: n('netuid'),
          mecid: n('mecid'),
          commitHash: args.commitHash.toHex(),
        });
      case 'revealMechanismWeights':
        return subtensor.revealWeights(ctx, {
          netuid: n('netuid'),
          mecid: n('mecid'),
          uids: list('uids'),
          values: list('values'),
          salt: list('salt'),
          versionKey: big('versionKey'),
        });
      case 'commitWeights':
        return subtensor.commitWeights(ctx, {
          netuid: n('netuid'),
          commitHash: args.commitHash.toHex(),
        });
      case 'revealWeights':
        return subtensor.revealWeights(ctx, {
          netuid: n('netuid'),
          uids: list('uids'),
          values: list('values'),
          salt: list('salt'),
          versionKey: big('versionKey'),
        });
      case 'batchRevealWeights': {
        const lists = (name: string) =>
          (args[name].toJSON() as number[][]).map((l) => l.map(Number));
        return subtensor.batchRevealWeights(ctx, {
          netuid: n('netuid'),
          uidsList: lists('uidsList'),
          valuesList: lists('valuesList'),
          saltsList: lists('saltsList'),
          versionKeys: (args.versionKeys.toJSON() as Array<number | string>).map(BigInt),
        });
      }
      case 'commitTimelockedWeights':
      case 'commitTimelockedMechanismWeights':
        return subtensor.commitTimelockedWeights(
          ctx,
          {
            netuid: n('netuid'),
            mecid: args.mecid === undefined ? undefined : n('mecid'),
            commit: hexToU8a(args.commit.toHex()).subarray(0),
            revealRound: big('revealRound'),
            commitRevealVersion: n('commitRevealVersion'),
          },
          BigInt(ctx.state.value('drand', 'lastStoredRound').toString()),
        );
      default:
        throw new ModuleError('system', 'CallFiltered');
    }
  }

  /** Timelocked commits whose epoch has come and whose round is published are decrypted and applied. */
  private revealTimelockedCommits(
    state: State,
    block: number,
    round: bigint,
    events: unknown[],
  ): void {
    for (const commit of subtensor.timelockedCommits(state)) {
      if (!subtensor.timelockedCommitDue(state, commit, block) || commit.revealRound > round)
        continue;
      this.beacon.storePulse(state, commit.revealRound);
      subtensor.removeTimelockedCommit(state, commit);
      const scratch = state.clone();
      const callEvents: unknown[] = [];
      try {
        const payload = this.beacon.decrypt(commit.ciphertext, commit.revealRound);
        subtensor.revealTimelocked(
          {
            state: scratch,
            who: this.runtime.registry.createType<AccountId32>('AccountId32', commit.who),
            block,
            deposit: (event) => callEvents.push(this.record({ Initialization: null }, event)),
          },
          commit,
          payload,
        );
        state.adopt(scratch);
        events.push(...callEvents);
      } catch (error) {
        // As on chain: a commit that cannot be decrypted or applied is dropped, with no event.
        this.emit(
          'log',
          `timelocked commit of ${commit.who} on ${commit.netuid} dropped: ${String(error)}`,
        );
      }
    }
  }

  private seal(
    number: number,
    parentHash: Hex,
    state: State,
    extrinsics: Hex[],
    timestampMs: number,
  ): Block {
    const extrinsicsRoot = blake2AsHex(u8aConcat(...extrinsics.map((e) => hexToU8a(e))), 256);
    const events = hexToU8a(state.raw(this.runtime.storageKey('system', 'events')) ?? '0x');
    const stateRoot = blake2AsHex(
      u8aConcat(
        hexToU8a(parentHash),
        events,
        hexToU8a(extrinsicsRoot),
        new Uint8Array([number & 255, (number >> 8) & 255, (number >> 16) & 255]),
      ),
      256,
    );
    // Blocks after genesis carry Aura's pre-runtime digest (the slot, from the chain clock), as an
    // Aura chain's do; so, as on a real chain, a restarted devnet has the same genesis hash (same
    // spec) but other block hashes from block 1 on.
    const slot = new Uint8Array(8);
    new DataView(slot.buffer).setBigUint64(
      0,
      BigInt(Math.floor(timestampMs / this.blockTimeMs)),
      true,
    );
    const header = this.runtime.registry.createType<Header>('Header', {
      parentHash,
      number,
      stateRoot,
      extrinsicsRoot,
      digest: { logs: number === 0 ? [] : [{ PreRuntime: [AURA_ENGINE_ID, u8aToHex(slot)] }] },
    });
    return { number, hash: u8aToHex(header.hash) as Hex, header, extrinsics, timestampMs, state };
  }

  private addBlock(block: Block): void {
    this.blocks.push(block);
    this.byHash.set(block.hash, block);
    const prune = this.blocks.length - 1 - this.keepStates;
    if (prune > 0) this.blocks[prune].state = undefined;
  }
}
