/**
 * The extrinsic in the chosen form: `set_weights`; a timelocked commit (the payload encrypted to
 * the drand round of the reveal epoch); or a hash commit, whose salt and values are saved before
 * anything is sent. Commits are saved with status `committing`; submission settles them.
 */
import { randomInt } from 'node:crypto';
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import type { Firestore } from 'firebase-admin/firestore';
import type { CallName, Form } from '../chain/runtime-items';
import type { SubnetState } from '../chain/subnet-state';
import {
  encodeWeightsPayload,
  encryptToRound,
  QUICKNET,
  revealRound,
  revealWindow,
} from '../chain/timelock';
import type { AllocationRow } from './allocation';
import { saveCommit, type PendingCommit } from './commits';
import type { PublishResult } from './result';

export interface Built {
  tx: SubmittableExtrinsic<'promise'>;
  fields: Partial<PublishResult>;
  /** A saved commit, to be settled once the chain has answered. */
  commit?: { db: Firestore; id: string };
}

export interface BuildInput {
  api: ApiPromise;
  state: SubnetState;
  form: Form;
  rows: readonly AllocationRow[];
  versionKey: bigint;
  signer: KeyringPair;
  netuid: number;
  /** The subnet mechanism; above 0, the mechanism calls (publish.ts checked the runtime has them). */
  mechanism?: number;
  /** Where commits wait for their reveal; a hash commit cannot be built without it. */
  db?: Firestore;
}

export async function buildExtrinsic(input: BuildInput): Promise<Built> {
  const { api, state, rows, versionKey, signer, netuid, db } = input;
  const uids = rows.map((row) => row.uid);
  const values = rows.map((row) => row.u16);
  const call = (name: CallName) => state.items.call(name);
  const mechanism = input.mechanism ?? 0;
  if (input.form === 'set_weights')
    return {
      tx:
        mechanism > 0
          ? call('SubtensorModule.set_mechanism_weights')(
              netuid,
              mechanism,
              uids,
              values,
              versionKey,
            )
          : call('SubtensorModule.set_weights')(netuid, uids, values, versionKey),
      fields: {},
    };

  // The window if it lands in the next block; settled from the block it does land in.
  const { commit_epoch: commitEpoch, ...window } = revealWindow(
    state.blockNumber + 1,
    netuid,
    state.tempo,
    state.revealPeriodEpochs,
  );
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
    uids,
    values,
    version_key: versionKey.toString(),
    submitted_block: state.blockNumber,
    commit_epoch: commitEpoch,
    ...(mechanism > 0 ? { mechanism } : {}),
    ...window,
    ...extra,
  });

  if (input.form === 'timelocked_commit') {
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
    const payload = encodeWeightsPayload(api.registry, signer.publicKey, uids, values, versionKey);
    const ciphertext = await encryptToRound(payload, round, beacon);
    const id = blake2AsHex(ciphertext, 256);
    if (db) await saveCommit(db, pending(id, 'timelocked', { reveal_round: round.toString() }));
    return {
      tx:
        mechanism > 0
          ? call('SubtensorModule.commit_timelocked_mechanism_weights')(
              netuid,
              mechanism,
              u8aToHex(ciphertext),
              round,
              state.commitRevealVersion,
            )
          : call('SubtensorModule.commit_timelocked_weights')(
              netuid,
              u8aToHex(ciphertext),
              round,
              state.commitRevealVersion,
            ),
      fields: { ...window, commit_id: id, reveal_round: round.toString() },
      commit: db ? { db, id } : undefined,
    };
  }

  // Hash scheme: the salt comes from a cryptographic source, and the reveal data is saved before
  // the commit is sent, so that no crash can leave a commit nobody can reveal.
  if (!db) throw new Error('no commit store');
  const salt = Array.from({ length: 8 }, () => randomInt(0, 65536));
  const hash = blake2AsHex(
    api.registry
      .createType('(AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64)', [
        signer.address,
        netuid,
        uids,
        values,
        salt,
        versionKey,
      ])
      .toU8a(),
    256,
  );
  await saveCommit(db, pending(hash, 'hash', { salt }));
  return {
    tx: call('SubtensorModule.commit_weights')(netuid, hash),
    fields: { ...window, commit_id: hash },
    commit: { db, id: hash },
  };
}
