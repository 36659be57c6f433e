/**
 * What the chain can say about an extrinsic sent earlier, from what every node serves: the head
 * and the finalized head, block hashes and bodies, and current state. A node keeps historical
 * state only for its last blocks (public finney nodes about 256), so a block's events are read
 * only as a bonus: when the node no longer has them, the outcome is inferred from current state
 * and marked so.
 */
import type { ApiPromise } from '@polkadot/api';
import { hexToU8a } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import { classifyRpcError } from './errors';
import type { RuntimeItems } from './runtime-items';
import type { Signed } from './submit';
import type { DispatchError } from '@polkadot/types/interfaces';

/** What a record says of the extrinsic it sent. */
export interface SentExtrinsic {
  hash: string;
  nonce?: number;
  eraStart: number;
  eraEnd: number;
  /** Absent in records written before chain identity was recorded. */
  genesisHash?: string;
  checkpoint?: Signed['checkpoint'];
}

/** Where the extrinsic is, when a block of its era holds it. */
export interface Located {
  blockNumber: number;
  blockHash: string;
  extrinsicIndex: number;
}

/**
 * Why this chain can never include the extrinsic, when it cannot: another genesis, or the block
 * its signature commits to (its mortality checkpoint) is not the finalized block at that height.
 * A node that is merely behind says nothing here: the checkpoint is judged only once finalized.
 */
export async function neverIncludable(
  api: ApiPromise,
  sent: SentExtrinsic,
): Promise<string | undefined> {
  const genesis = api.genesisHash.toHex();
  if (sent.genesisHash && sent.genesisHash !== genesis)
    return `it was signed for the chain with genesis ${sent.genesisHash}; this node serves ${genesis} (a reset or another chain)`;
  if (!sent.checkpoint) return undefined;
  const finalized = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
  if (finalized.number.toNumber() < sent.checkpoint.number) return undefined;
  const canonical = (await api.rpc.chain.getBlockHash(sent.checkpoint.number)).toHex();
  if (canonical === sent.checkpoint.hash) return undefined;
  return `the block it was signed at (#${sent.checkpoint.number} ${sent.checkpoint.hash}) is not in this chain, whose block #${sent.checkpoint.number} is ${canonical} (a reset)`;
}

/**
 * The block of the extrinsic's era (up to `best`) whose body holds it: bodies only, no state. The
 * body is read raw and each extrinsic hashed as the chain hashes it (blake2-256 of its bytes):
 * decoding a block through @polkadot/api would first read the runtime version at that block,
 * which is state a pruning node no longer has.
 */
export async function locate(
  api: ApiPromise,
  sent: Pick<SentExtrinsic, 'hash' | 'eraStart' | 'eraEnd'>,
  best: number,
): Promise<Located | undefined> {
  for (let number = Math.max(sent.eraStart, 0); number <= Math.min(best, sent.eraEnd); number++) {
    const blockHash = (await api.rpc.chain.getBlockHash(number)).toHex();
    // `.raw`: the JSON the node sent, with no registry (no runtime version) read for the block.
    const getBlock = api.rpc.chain.getBlock as unknown as {
      raw(hash: string): Promise<{ block?: { extrinsics?: string[] } } | null>;
    };
    const body = await getBlock.raw(blockHash);
    const extrinsics = body?.block?.extrinsics ?? [];
    const index = extrinsics.findIndex((hex) => blake2AsHex(hexToU8a(hex), 256) === sent.hash);
    if (index >= 0) return { blockNumber: number, blockHash, extrinsicIndex: index };
  }
  return undefined;
}

/** A block's number from its header, read raw (no runtime version read at that block: no state). */
export async function blockNumberOf(api: ApiPromise, blockHash: string): Promise<number> {
  const getHeader = api.rpc.chain.getHeader as unknown as {
    raw(hash: string): Promise<{ number: string }>;
  };
  return Number((await getHeader.raw(blockHash)).number);
}

/**
 * The extrinsic's outcome from its block's events: `{ error }` when it failed, `{}` when it did
 * not, or `{ unavailable }` with the node's reason when the node no longer has that block's state.
 */
export async function outcomeFromEvents(
  api: ApiPromise,
  items: RuntimeItems,
  at: Located,
): Promise<{ error?: { code: string; message: string }; unavailable?: string }> {
  try {
    return { error: await dispatchErrorAt(api, items, at.blockHash, at.extrinsicIndex) };
  } catch (error) {
    return { unavailable: classifyRpcError(error).message };
  }
}

/** The account's nonce now (the next one it may use), where the runtime has System.Account. */
export async function accountNonce(
  items: RuntimeItems,
  address: string,
): Promise<number | undefined> {
  const account = items.optionalStorage('System.Account');
  if (!account) return undefined;
  return Number(((await account(address)).toJSON() as { nonce?: number }).nonce ?? 0);
}

/**
 * Whether the validator's Weights row on the subnet holds exactly these uids and u16 values now;
 * undefined where the runtime has no Weights item.
 */
export async function weightsRowEquals(
  items: RuntimeItems,
  netuid: number,
  uid: number,
  uids: readonly number[],
  values: readonly number[],
): Promise<boolean | undefined> {
  const weights = items.optionalStorage('SubtensorModule.Weights');
  if (!weights) return undefined;
  const row = ((await weights(netuid, uid)).toJSON() as Array<[number, number]> | null) ?? [];
  return row.length === uids.length && row.every(([u, v], i) => u === uids[i] && v === values[i]);
}

/** The module error of the extrinsic at `index` of a block, from System.Events (none without it). */
export async function dispatchErrorAt(
  api: ApiPromise,
  items: RuntimeItems,
  blockHash: string,
  index: number,
): Promise<{ code: string; message: string } | undefined> {
  const events = items.optionalStorage('System.Events', await api.at(blockHash));
  if (!events) return undefined;
  const records = (await events()) as unknown as Array<{
    phase: { isApplyExtrinsic: boolean; asApplyExtrinsic: { toNumber(): number } };
    event: { section: string; method: string; data: unknown[] };
  }>;
  for (const { phase, event } of records) {
    if (!phase.isApplyExtrinsic || phase.asApplyExtrinsic.toNumber() !== index) continue;
    if (event.section === 'system' && event.method === 'ExtrinsicFailed')
      return describeDispatchError(api, event.data[0] as DispatchError);
  }
  return undefined;
}

export function describeDispatchError(
  api: ApiPromise,
  error: DispatchError,
): { code: string; message: string } {
  if (error.isModule) {
    const meta = api.registry.findMetaError(error.asModule);
    return {
      code: meta.name,
      message: meta.docs.join(' ').trim() || `${meta.section}.${meta.name}`,
    };
  }
  return { code: error.type, message: error.toString() };
}
