// Hash commit-reveal against the real subtensor runtime (spec 218, no timelocked commits): the
// publisher commits a hash, keeps the reveal in Firestore (the emulator), and a later run reveals
// in the runtime's reveal epoch. The epochs are the runtime's own: (block + netuid + 1) / (tempo + 1),
// a commit made in epoch e revealed in epoch e + RevealPeriodEpochs, and nowhere else.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PublishConfig } from '../../functions/src/config/publishing';
import { openCommits } from '../../functions/src/publishing/commits';
import { publishWeights } from '../../functions/src/publishing/publish';
import { followUpCommits } from '../../functions/src/publishing/reveal';
import { testFirestore } from '../support/firestore';
import { recordingLogger } from '../support/logger';
import {
  hyperparameter,
  LANDED,
  NETUID,
  prepareSubnet,
  realchainPublishConfig,
  setStorageNow,
  startRealChain,
  TAO,
  weightsOf,
  type RealChain,
  type Subnet,
} from '../support/realchain';

const store = testFirestore('realchain-commit-reveal');
let chain: RealChain;
let subnet: Subnet;

/** Commit-reveal on; epochs of 3 blocks (tempo 2); the reveal one epoch after the commit. */
const TEMPO = 2;
const BASELINE = {
  CommitRevealWeightsEnabled: true,
  Tempo: TEMPO,
  RevealPeriodEpochs: 1,
  WeightsSetRateLimit: 0,
  MinAllowedWeights: 1,
};

beforeAll(async () => {
  chain = await startRealChain();
  subnet = await prepareSubnet(chain, { miners: 2, hyperparameters: BASELINE });
  chain.sealOnSubmit();
});
afterEach(async () => {
  chain.sealOnSubmit();
  await chain.setStorage(
    ...Object.entries(BASELINE).map(([item, value]) => hyperparameter(item, value)),
    ['SubtensorModule', 'WeightsMinStake', [], 0],
  );
  await store.clear();
});
afterAll(async () => {
  await chain?.stop();
  await store.close();
});

const config = (overrides: Partial<PublishConfig> = {}) => realchainPublishConfig(chain, overrides);
const shares = () => ({ [subnet.miners[0].address]: 0.75, [subnet.miners[1].address]: 0.25 });
const publish = (overrides: Partial<PublishConfig> = {}) =>
  publishWeights({
    shares: shares(),
    signer: subnet.validator,
    config: config(overrides),
    log: recordingLogger(),
    db: store.db,
    sleep: async () => undefined,
  });
const followUp = () =>
  followUpCommits({
    db: store.db,
    config: config(),
    signer: subnet.validator,
    log: recordingLogger(),
    sleep: async () => undefined,
  });
const epochOf = (block: number) => Math.floor((block + NETUID + 1) / (TEMPO + 1));
/** Read at an epoch's first block, a commit lands in its second, and the next block is still in it. */
async function readAtEpochStart() {
  while (epochOf(chain.best()) === epochOf(chain.best() - 1)) await chain.newBlocks();
}
const nonce = async () =>
  (await chain.api.rpc.system.accountNextIndex(subnet.validator.address)).toNumber();

/** The runtime's own record of the validator's commits: (hash, commit block, first, last reveal block). */
async function chainCommits(): Promise<Array<[string, number, number, number]>> {
  const value = await chain.api.query.subtensorModule.weightCommits(
    NETUID,
    subnet.validator.address,
  );
  return (value.toJSON() as Array<[string, number, number, number]> | null) ?? [];
}

/** Module error name and SubtensorModule events of one extrinsic. */
async function extrinsicOutcome(blockHash: string, index: number) {
  const records = await (await chain.api.at(blockHash)).query.system.events();
  const mine = records.filter(
    (r) => r.phase.isApplyExtrinsic && r.phase.asApplyExtrinsic.toNumber() === index,
  );
  let error: string | undefined;
  for (const { event } of mine) {
    if (chain.api.events.system.ExtrinsicFailed.is(event) && event.data.dispatchError.isModule)
      error = chain.api.registry.findMetaError(event.data.dispatchError.asModule).name;
  }
  const events = mine
    .filter(({ event }) => event.section === 'subtensorModule')
    .map(({ event }) => event.method);
  return { error, events };
}

/** Sends a reveal of `commit` as is, outside the publisher: what the runtime says about it. */
async function rawReveal(commit: {
  uids: number[];
  values: number[];
  salt?: number[];
  version_key: string;
}) {
  const tx = chain.api.tx.subtensorModule.revealWeights(
    NETUID,
    commit.uids,
    commit.values,
    commit.salt ?? [],
    BigInt(commit.version_key),
  );
  const [blockHash, index] = await new Promise<[string, number]>((resolve, reject) => {
    tx.signAndSend(subnet.validator, (result) => {
      if (result.status.isInBlock) resolve([result.status.asInBlock.toHex(), result.txIndex ?? -1]);
    }).catch(reject);
  });
  return extrinsicOutcome(blockHash, index);
}

describe('hash commit-reveal on the real runtime', () => {
  it('commits, then a later run reveals in the reveal epoch; the Weights row is the committed values', async () => {
    await readAtEpochStart();
    const committed = await publish();
    expect(committed).toMatchObject({
      status: LANDED,
      mode: 'commit',
      spec_version: 218,
      allocation: [
        { uid: subnet.minerUids[0], u16: 65535 },
        { uid: subnet.minerUids[1], u16: 21845 },
      ],
    });
    const commitBlock = committed.block_number ?? -1;
    // The runtime's own record of the commit holds the window the publisher computed.
    expect(await chainCommits()).toEqual([
      [committed.commit_id, commitBlock, committed.first_reveal_block, committed.last_reveal_block],
    ]);
    expect(committed.reveal_epoch).toBe(epochOf(commitBlock) + 1);
    expect(epochOf(committed.first_reveal_block ?? -1)).toBe(committed.reveal_epoch);
    expect(epochOf((committed.first_reveal_block ?? 0) - 1)).toBe(epochOf(commitBlock));
    expect(epochOf(committed.last_reveal_block ?? -1)).toBe(committed.reveal_epoch);
    expect(epochOf((committed.last_reveal_block ?? 0) + 1)).toBe((committed.reveal_epoch ?? 0) + 1);
    const { events } = await extrinsicOutcome(
      committed.block_hash ?? '',
      committed.extrinsic_index ?? -1,
    );
    expect(events).toEqual(['WeightsCommitted']);
    expect(await weightsOf(chain, subnet.validatorUid)).toEqual([]);

    // Before the window a run sends nothing.
    const before = await nonce();
    if (chain.best() + 1 < (committed.first_reveal_block ?? 0)) {
      const early = await followUp();
      expect(early.map((f) => f.outcome)).toEqual(['waiting']);
      expect(await nonce()).toBe(before);
    }

    // In the reveal epoch, a run with nothing but Firestore reveals.
    while (chain.best() + 1 < (committed.first_reveal_block ?? 0)) await chain.newBlocks();
    const [revealed] = await followUp();
    expect(revealed.outcome).toBe('revealed');
    expect(revealed.result).toMatchObject({
      mode: 'reveal',
      status: LANDED,
      commit_id: committed.commit_id,
    });
    const revealBlock = revealed.result.block_number ?? -1;
    expect(epochOf(revealBlock)).toBe(committed.reveal_epoch);
    const outcome = await extrinsicOutcome(
      revealed.result.block_hash ?? '',
      revealed.result.extrinsic_index ?? -1,
    );
    expect(outcome).toEqual({ error: undefined, events: ['WeightsSet', 'WeightsRevealed'] });
    expect(await weightsOf(chain, subnet.validatorUid)).toEqual(
      committed.allocation.map((row) => [row.uid, row.u16]),
    );
    expect(await chainCommits()).toEqual([]);
    expect(await openCommits(store.db, subnet.validator.address, NETUID)).toEqual([]);
  });

  it('agrees with the runtime on the window: RevealTooEarly before it, ExpiredWeightCommit after it', async () => {
    await readAtEpochStart();
    const committed = await publish();
    expect(committed).toMatchObject({ status: LANDED, mode: 'commit' });
    const [pending] = await openCommits(store.db, subnet.validator.address, NETUID);
    // Still in the commit's own epoch: the runtime refuses the reveal as too early.
    expect(chain.best() + 1).toBeLessThan(committed.first_reveal_block ?? 0);
    expect((await rawReveal(pending)).error).toBe('RevealTooEarly');
    // Past the window: the publisher records a miss and sends nothing; the runtime would refuse.
    while (chain.best() + 1 <= (committed.last_reveal_block ?? 0)) await chain.newBlocks();
    const before = await nonce();
    const [missed] = await followUp();
    expect(missed.outcome).toBe('missed');
    expect(missed.result).toMatchObject({ status: 'failed', error_code: 'RevealWindowMissed' });
    expect(await nonce()).toBe(before);
    expect((await rawReveal(pending)).error).toBe('ExpiredWeightCommit');
  });

  it('CommittingWeightsTooFast, when the rate limit rises after the publisher read it', async () => {
    chain.sealOnSubmit(() =>
      setStorageNow(chain, hyperparameter('WeightsSetRateLimit', 1_000_000)),
    );
    const result = await publish({ attempts: 3 });
    expect(result).toMatchObject({
      status: 'failed',
      mode: 'commit',
      error_code: 'CommittingWeightsTooFast',
      retryable: false,
      attempts: 1,
    });
    const { error } = await extrinsicOutcome(result.block_hash ?? '', result.extrinsic_index ?? -1);
    expect(error).toBe('CommittingWeightsTooFast');
    expect(await openCommits(store.db, subnet.validator.address, NETUID)).toEqual([]);
  });

  // The runtime keys a commit by the block it lands in: read at an epoch's last block, the commit
  // lands in the next epoch, and its window is that epoch's (found by this test, now fixed).
  it('a commit read at the last block of an epoch lands in the next: the window is the one the runtime keeps', async () => {
    while (epochOf(chain.best() + 1) === epochOf(chain.best())) await chain.newBlocks();
    const committed = await publish();
    expect(committed).toMatchObject({ status: LANDED, mode: 'commit' });
    expect(epochOf(committed.block_number ?? -1)).toBe(epochOf(chain.best()));
    const [[, , first, last]] = await chainCommits();
    const [pending] = await openCommits(store.db, subnet.validator.address, NETUID);
    expect([pending.first_reveal_block, pending.last_reveal_block]).toEqual([first, last]);
  });

  it('rejections at submission below WeightsMinStake: 1010 Custom error 1 (commit), 2 (reveal)', async () => {
    await chain.setStorage(['SubtensorModule', 'WeightsMinStake', [], 1_000_000n * TAO]);
    const refused = await publish({ attempts: 3 });
    expect(refused).toMatchObject({ status: 'failed', retryable: false, attempts: 1 });
    expect(refused.reason).toContain('Custom error: 1');
    expect(refused.error_code).toBe('StakeAmountTooLow');
    expect(await openCommits(store.db, subnet.validator.address, NETUID)).toEqual([]);

    // A commit made with enough stake, whose reveal then falls below it.
    await chain.setStorage(['SubtensorModule', 'WeightsMinStake', [], 0]);
    await readAtEpochStart();
    const committed = await publish();
    expect(committed).toMatchObject({ status: LANDED, mode: 'commit' });
    await chain.setStorage(['SubtensorModule', 'WeightsMinStake', [], 1_000_000n * TAO]);
    while (chain.best() + 1 < (committed.first_reveal_block ?? 0)) await chain.newBlocks();
    const [reveal] = await followUp();
    expect(reveal.result).toMatchObject({ status: 'failed', mode: 'reveal', retryable: false });
    expect(reveal.result.reason).toContain('Custom error: 2');
    expect(reveal.result.error_code).toBe('Custom(2)');
  });

  // A commit refused at submission (1010) is reported as the commit it was (found, now fixed).
  it('a commit refused at submission is reported as a commit', async () => {
    await chain.setStorage(['SubtensorModule', 'WeightsMinStake', [], 1_000_000n * TAO]);
    expect(await publish()).toMatchObject({ status: 'failed', mode: 'commit' });
  });
});
