/**
 * Signing, sending and following one extrinsic, in three steps so that the caller can write its
 * record between them: `sign` fixes the nonce and the mortal era (and so the extrinsic's hash),
 * `sendAndWatch` sends those very bytes and follows them until included (or finalized) within a
 * time bound, and `findExtrinsic` looks for them in the blocks of their era. A retry sends the
 * same signed bytes again, never a new nonce, so at most one of the attempts can land.
 */
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { ISubmittableResult } from '@polkadot/types/types';
import { ChainFailure, classifyRpcError, withDeadline } from './errors';
import { describeDispatchError, dispatchErrorAt, locate } from './inclusion';
import type { RuntimeItems } from './runtime-items';

export type WaitFor = 'inclusion' | 'finalization';

/** Blocks a signed transaction stays valid (mortal era), as the reference SDK uses. */
export const MORTAL_PERIOD = 128;

/** A signed extrinsic, as its record names it. */
export interface Signed {
  hex: string;
  hash: string;
  nonce: number;
  /** The first and last block in which it can be included (its mortal era). */
  eraStart: number;
  eraEnd: number;
  /** The chain it was signed for, and the block its signature commits to (its mortality's): on a
   * chain without that block (another genesis, a reset) it can never be included. */
  genesisHash: string;
  checkpoint: { number: number; hash: string };
}

export interface Included {
  extrinsicHash: string;
  blockHash: string;
  blockNumber?: number;
  extrinsicIndex?: number;
  finalized: boolean;
  /** Set when the extrinsic was included but failed: the chain's error, by name. */
  dispatchError?: { code: string; message: string };
}

/** Signs `tx` with the account's next nonce (the pool's included) and a mortal era from the best block. */
export async function sign(
  api: ApiPromise,
  tx: SubmittableExtrinsic<'promise'>,
  signer: KeyringPair,
): Promise<Signed> {
  const [header, nonce] = await Promise.all([
    api.rpc.chain.getHeader(),
    api.rpc.system.accountNextIndex(signer.address),
  ]);
  const current = header.number.toNumber();
  const era = api.registry.createType('ExtrinsicEra', { current, period: MORTAL_PERIOD });
  await tx.signAsync(signer, { blockHash: header.hash, era, nonce });
  const mortal = era.asMortalEra;
  return {
    hex: tx.toHex(),
    hash: tx.hash.toHex(),
    nonce: nonce.toNumber(),
    eraStart: mortal.birth(current),
    eraEnd: mortal.death(current) - 1,
    genesisHash: api.genesisHash.toHex(),
    checkpoint: { number: current, hash: header.hash.toHex() },
  };
}

/**
 * Sends the signed bytes and follows them. Sent again (a retry), the pool may already hold them
 * or the chain may have included them: then the blocks of the era are watched instead.
 */
export async function sendAndWatch(
  api: ApiPromise,
  items: RuntimeItems,
  signed: Signed,
  waitFor: WaitFor,
  timeoutMs: number,
): Promise<Included> {
  let unsubscribe: (() => void) | undefined;
  try {
    return await withDeadline(
      `waiting for ${waitFor}`,
      timeoutMs,
      new Promise<Included>((resolve, reject) => {
        api
          .tx(signed.hex)
          .send((result: ISubmittableResult) => {
            const { status } = result;
            if (status.isInvalid || status.isDropped || status.isUsurped) {
              reject(
                new ChainFailure(
                  'refused',
                  status.type,
                  `the transaction pool reported it ${status.type.toLowerCase()}`,
                ),
              );
              return;
            }
            if (status.isFinalityTimeout) {
              reject(
                new ChainFailure(
                  'timeout',
                  'FinalityTimeout',
                  'the block with the transaction was not finalized in time',
                ),
              );
              return;
            }
            const done = status.isFinalized || (waitFor === 'inclusion' && status.isInBlock);
            if (!done) return;
            const blockHash = (status.isFinalized ? status.asFinalized : status.asInBlock).toHex();
            resolve({
              extrinsicHash: signed.hash,
              blockHash,
              blockNumber: (
                result as { blockNumber?: { toNumber(): number } }
              ).blockNumber?.toNumber(),
              extrinsicIndex: result.txIndex,
              finalized: status.isFinalized,
              dispatchError: result.dispatchError
                ? describeDispatchError(api, result.dispatchError)
                : undefined,
            });
          })
          .then((stop) => {
            unsubscribe = stop;
          })
          .catch((error: unknown) => {
            const failure = classifyRpcError(error);
            // Already in the pool, or its nonce already used (by this very extrinsic, perhaps).
            if (['AlreadyImported', 'PriorityTooLow', 'Stale'].includes(failure.code)) {
              watchBlocks(api, items, signed, (stop) => (unsubscribe = stop)).then(resolve, reject);
            } else reject(failure);
          });
      }),
    );
  } finally {
    unsubscribe?.();
  }
}

/** Resolves when a new block of the era holds the extrinsic (looking back to the era's start first). */
async function watchBlocks(
  api: ApiPromise,
  items: RuntimeItems,
  signed: Signed,
  onSubscribed: (stop: () => void) => void,
): Promise<Included> {
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  const earlier = await findExtrinsic(api, items, signed, best);
  if (earlier) return earlier;
  return new Promise<Included>((resolve, reject) => {
    let checked = best;
    void api.rpc.chain
      .subscribeNewHeads((header) => {
        const number = header.number.toNumber();
        if (number <= checked) return;
        const from = checked + 1;
        checked = number;
        findExtrinsic(api, items, signed, number, from).then((found) => {
          if (found) resolve(found);
          else if (number > signed.eraEnd)
            reject(
              new ChainFailure(
                'refused',
                'Dropped',
                `the extrinsic was not included before its era ended at block ${signed.eraEnd}`,
              ),
            );
        }, reject);
      })
      .then(onSubscribed, reject);
  });
}

/**
 * The extrinsic in a block of its era up to `best` (from `from`, default the era's start), with
 * its outcome from the block's events; undefined when no such block holds it.
 */
export async function findExtrinsic(
  api: ApiPromise,
  items: RuntimeItems,
  signed: Pick<Signed, 'hash' | 'eraStart' | 'eraEnd'>,
  best: number,
  from = signed.eraStart,
): Promise<Included | undefined> {
  const found = await locate(api, { ...signed, eraStart: Math.max(from, signed.eraStart) }, best);
  if (!found) return undefined;
  return {
    extrinsicHash: signed.hash,
    blockHash: found.blockHash,
    blockNumber: found.blockNumber,
    extrinsicIndex: found.extrinsicIndex,
    finalized: false,
    dispatchError: await dispatchErrorAt(api, items, found.blockHash, found.extrinsicIndex),
  };
}
