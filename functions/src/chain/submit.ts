/**
 * Signs, submits and follows one extrinsic until it is included (or finalized), within a time
 * bound, and reports what the block says about it: success, or the module error by name.
 */
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { ISubmittableResult } from '@polkadot/types/types';
import { ChainFailure, classifyRpcError, withDeadline } from './errors';

export type WaitFor = 'inclusion' | 'finalization';

/** Blocks a signed transaction stays valid (mortal era), as the reference SDK uses. */
export const MORTAL_PERIOD = 128;

export interface Included {
  extrinsicHash: string;
  blockHash: string;
  blockNumber?: number;
  extrinsicIndex?: number;
  finalized: boolean;
  /** Set when the extrinsic was included but failed: the chain's error, by name. */
  dispatchError?: { code: string; message: string };
}

export async function submitAndWatch(
  api: ApiPromise,
  tx: SubmittableExtrinsic<'promise'>,
  signer: KeyringPair,
  waitFor: WaitFor,
  timeoutMs: number,
): Promise<Included> {
  let unsubscribe: (() => void) | undefined;
  try {
    return await withDeadline(
      `waiting for ${waitFor}`,
      timeoutMs,
      new Promise<Included>((resolve, reject) => {
        tx.signAndSend(signer, { era: MORTAL_PERIOD, nonce: -1 }, (result: ISubmittableResult) => {
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
            extrinsicHash: tx.hash.toHex(),
            blockHash,
            blockNumber: (
              result as { blockNumber?: { toNumber(): number } }
            ).blockNumber?.toNumber(),
            extrinsicIndex: result.txIndex,
            finalized: status.isFinalized,
            dispatchError: result.dispatchError ? describeDispatchError(api, result) : undefined,
          });
        })
          .then((stop) => {
            unsubscribe = stop;
          })
          .catch((error: unknown) => reject(classifyRpcError(error)));
      }),
    );
  } finally {
    unsubscribe?.();
  }
}

function describeDispatchError(
  api: ApiPromise,
  result: ISubmittableResult,
): { code: string; message: string } {
  const error = result.dispatchError;
  if (!error) throw new Error('no dispatch error');
  if (error.isModule) {
    const meta = api.registry.findMetaError(error.asModule);
    return {
      code: meta.name,
      message: meta.docs.join(' ').trim() || `${meta.section}.${meta.name}`,
    };
  }
  return { code: error.type, message: error.toString() };
}
