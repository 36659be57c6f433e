import type { EventRecord } from '@polkadot/types/interfaces';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupSubnet, startTestChain, submit, type TestChain } from '../support/devnet';

let chain: TestChain;
const HASH = 20;
const TIMELOCK = 21;
// tempo 9: an epoch is 10 blocks; reveals one epoch after the commit.
const CR = {
  commitRevealWeightsEnabled: true,
  tempo: 9,
  revealPeriodEpochs: 1,
  weightsSetRateLimit: 0,
};

beforeAll(async () => {
  chain = await startTestChain();
  await setupSubnet(chain, { netuid: HASH, miners: 3, params: CR });
  await setupSubnet(chain, { netuid: TIMELOCK, miners: 3, params: CR });
});
afterAll(() => chain.stop());

const tx = () => chain.api.tx.subtensorModule;
const bestNumber = async () => (await chain.api.rpc.chain.getHeader()).number.toNumber();

describe('hash commit-reveal', () => {
  const uids = [1, 2, 3];
  const values = [400, 200, 100];
  const versionKey = 0;

  /** blake2_256(SCALE(account, netuid_index u16, uids, values, salt, version_key)), computed independently. */
  const commitHash = (netuid: number, salt: number[]) =>
    blake2AsHex(
      chain.api.registry
        .createType('(AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64)', [
          chain.alice.address,
          netuid,
          uids,
          values,
          salt,
          versionKey,
        ])
        .toU8a(),
      256,
    );
  const reveal = (salt: number[]) => tx().revealWeights(HASH, uids, values, salt, versionKey);

  it('refuses a reveal before the reveal epoch, applies it in the epoch, records both events', async () => {
    const salt = [1, 2, 3, 4, 5, 6, 7, 8];
    const committed = await submit(
      chain,
      tx().commitWeights(HASH, commitHash(HASH, salt)),
      chain.alice,
    );
    expect(committed.events).toEqual([
      'subtensorModule.WeightsCommitted',
      'system.ExtrinsicSuccess',
    ]);
    const pending = (
      await chain.api.query.subtensorModule.weightCommits(HASH, chain.alice.address)
    ).toJSON();
    expect(pending).toEqual([
      [commitHash(HASH, salt), expect.any(Number), expect.any(Number), expect.any(Number)],
    ]);

    expect((await submit(chain, reveal(salt), chain.alice)).error).toBe(
      'subtensorModule.RevealTooEarly',
    );
    await chain.control('advanceToNextEpoch', HASH);
    const revealed = await submit(chain, reveal(salt), chain.alice);
    expect(revealed.error).toBeUndefined();
    expect(revealed.events).toEqual([
      'subtensorModule.WeightsSet',
      'subtensorModule.WeightsRevealed',
      'system.ExtrinsicSuccess',
    ]);
    expect((await chain.api.query.subtensorModule.weights(HASH, 0)).toJSON()).toEqual([
      [1, 65535],
      [2, 32768],
      [3, 16384],
    ]);
    expect(
      (await chain.api.query.subtensorModule.weightCommits(HASH, chain.alice.address)).toJSON(),
    ).toBeNull();
  });

  it('refuses a reveal whose data does not match the commit', async () => {
    await submit(chain, tx().commitWeights(HASH, commitHash(HASH, [9, 9])), chain.alice);
    await chain.control('advanceToNextEpoch', HASH);
    expect((await submit(chain, reveal([9, 8]), chain.alice)).error).toBe(
      'subtensorModule.InvalidRevealCommitHashNotMatch',
    );
  });

  it('refuses a reveal after its epoch has passed', async () => {
    const salt = [42];
    await submit(chain, tx().commitWeights(HASH, commitHash(HASH, salt)), chain.alice);
    await chain.control('advanceToNextEpoch', HASH);
    await chain.control('advanceToNextEpoch', HASH);
    expect((await submit(chain, reveal(salt), chain.alice)).error).toBe(
      'subtensorModule.ExpiredWeightCommit',
    );
  });

  it('refuses commits where commit-reveal is off', async () => {
    await chain.control('createSubnet', { netuid: 22, commitRevealWeightsEnabled: false });
    await chain.control('registerNeuron', 22, chain.alice.address);
    await chain.advance();
    expect(
      (await submit(chain, tx().commitWeights(22, commitHash(22, [1])), chain.alice)).error,
    ).toBe('subtensorModule.CommitRevealDisabled');
  });
});

describe('timelocked commit-reveal', () => {
  const require = createRequire(import.meta.url);
  const timelock = require('@ideallabs/timelock_wasm_wrapper') as {
    initSync(options: { module: Buffer }): void;
    tle(
      id: Uint8Array,
      message: Uint8Array,
      key: Uint8Array,
      publicKey: Uint8Array,
      curve: string,
    ): number[];
  };
  timelock.initSync({
    module: readFileSync(
      require.resolve('@ideallabs/timelock_wasm_wrapper/timelock_wasm_wrapper_bg.wasm'),
    ),
  });

  const identity = (round: number) => {
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64BE(BigInt(round));
    return createHash('sha256').update(bytes).digest();
  };

  it('decrypts and applies a commit at its round, in its reveal epoch', async () => {
    const { api } = chain;
    const config = (await api.query.drand.beaconConfig()).toJSON() as {
      publicKey: string;
      genesisTime: number;
      period: number;
    };
    const current = await bestNumber();
    const nowSeconds = Number((await api.query.timestamp.now()).toString()) / 1000;
    // The reveal epoch starts at the subnet's next epoch boundary (tempo 9, netuid 21).
    const epoch = Math.floor((current + 1 + TIMELOCK + 1) / 10);
    const firstRevealBlock = (epoch + 1) * 10 - (TIMELOCK + 1);
    const round = Math.floor(
      (nowSeconds + (firstRevealBlock + 3 - current) * 12 - config.genesisTime) / config.period,
    );

    const uids = [1, 2, 3];
    const values = [65535, 1000, 500];
    const payload = api.registry
      .createType('(Vec<u8>, Vec<u16>, Vec<u16>, u64)', [
        u8aToHex(chain.alice.publicKey),
        uids,
        values,
        0,
      ])
      .toU8a();
    const ciphertext = Uint8Array.from(
      timelock.tle(
        identity(round),
        payload,
        randomBytes(32),
        Buffer.from(config.publicKey.slice(2), 'hex'),
        'bls12_381',
      ),
    );
    const version = Number(
      (await api.query.subtensorModule.commitRevealWeightsVersion()).toString(),
    );
    const committed = await submit(
      chain,
      tx().commitTimelockedWeights(TIMELOCK, u8aToHex(ciphertext), round, version),
      chain.alice,
    );
    expect(committed.events).toEqual([
      'subtensorModule.TimelockedWeightsCommitted',
      'system.ExtrinsicSuccess',
    ]);
    expect((await api.query.subtensorModule.weights(TIMELOCK, 0)).toJSON()).toEqual([]);

    // Nothing happens before the reveal epoch; then the chain reveals by itself once the round is out.
    let revealedAt: number | undefined;
    for (let i = 0; i < 30 && revealedAt === undefined; i++) {
      await chain.advance();
      const events = (await api.query.system.events()) as unknown as EventRecord[];
      if (events.some(({ event }) => event.method === 'TimelockedWeightsRevealed'))
        revealedAt = await bestNumber();
    }
    expect(revealedAt).toBeGreaterThanOrEqual(firstRevealBlock);
    const lastRound = Number((await api.query.drand.lastStoredRound()).toString());
    expect(lastRound).toBeGreaterThanOrEqual(round);
    expect((await api.query.subtensorModule.weights(TIMELOCK, 0)).toJSON()).toEqual([
      [1, 65535],
      [2, 1000],
      [3, 500],
    ]);
    expect(
      (await api.query.subtensorModule.timelockedWeightCommits(TIMELOCK, epoch)).toJSON(),
    ).toEqual([]);
  });

  it('refuses at submission a reveal round the beacon has already passed (Custom 15)', async () => {
    const last = Number((await chain.api.query.drand.lastStoredRound()).toString());
    await expect(
      tx()
        .commitTimelockedWeights(TIMELOCK, u8aToHex(new Uint8Array(300)), last - 1, 4)
        .signAndSend(chain.alice),
    ).rejects.toThrow('1010: Invalid Transaction: Custom error: 15');
  });

  it('drops a commit whose ciphertext does not open, without applying anything', async () => {
    const round = Number((await chain.api.query.drand.lastStoredRound()).toString()) + 2;
    await submit(
      chain,
      tx().commitTimelockedWeights(TIMELOCK, u8aToHex(randomBytes(300)), round, 4),
      chain.alice,
    );
    const before = (await chain.api.query.subtensorModule.weights(TIMELOCK, 0)).toJSON();
    await chain.control('advanceToNextEpoch', TIMELOCK);
    await chain.advance(5);
    expect((await chain.api.query.subtensorModule.weights(TIMELOCK, 0)).toJSON()).toEqual(before);
    const left = await chain.api.query.subtensorModule.timelockedWeightCommits.entries(TIMELOCK);
    expect(left.flatMap(([, queue]) => queue.toJSON() as unknown[])).toEqual([]);
  });
});
