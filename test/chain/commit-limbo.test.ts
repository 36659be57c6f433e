// Every commit state has an exit: a commit whose send was not seen to land (`committing`) is
// looked up on chain by the next run, and becomes committed (then revealed), failed or expired.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  commitsCollection,
  openCommits,
  saveCommit,
  type PendingCommit,
} from '../../functions/src/publishing/commits';
import { publishWeights } from '../../functions/src/publishing/publish';
import { followUpCommits } from '../../functions/src/publishing/reveal';
import { MORTAL_PERIOD } from '../../functions/src/chain/submit';
import {
  devnetPublishConfig,
  sealOnSubmit,
  setupSubnet,
  startTestChain,
  type TestChain,
} from '../support/devnet';
import { testFirestore } from '../support/firestore';
import { recordingLogger } from '../support/logger';

const store = testFirestore('commit-limbo');
const NETUID = 43;
const CR = {
  commitRevealWeightsEnabled: true,
  tempo: 9,
  revealPeriodEpochs: 1,
  weightsSetRateLimit: 0,
};
let chain: TestChain;
let miners: string[];

const config = () => devnetPublishConfig(chain, NETUID, { inclusionTimeoutMs: 300 });
const shares = () => ({ [miners[0]]: 0.75, [miners[1]]: 0.25 });
const best = () => chain.devnet.chain.best.number;
const followUp = () =>
  followUpCommits({ db: store.db, config: config(), signer: chain.alice, log: recordingLogger() });
const commitDoc = async (id: string) => (await commitsCollection(store.db).doc(id).get()).data();

async function start(runtime: 'current' | 'hash-commit-reveal') {
  chain = await startTestChain({ finalityLag: 0, runtime });
  sealOnSubmit(chain);
  miners = (await setupSubnet(chain, { netuid: NETUID, miners: 2, params: CR })).map(
    (p) => p.address,
  );
}

/** A commit sent while the chain is stalled: the wait times out, the commit stays `committing`. */
async function commitUnseen() {
  await chain.control('stall', true);
  const result = await publishWeights({
    shares: shares(),
    signer: chain.alice,
    config: config(),
    log: recordingLogger(),
    db: store.db,
  });
  expect(result).toMatchObject({ status: 'failed', error_code: 'Timeout', retryable: true });
  const id = result.commit_id ?? '';
  expect(await commitDoc(id)).toMatchObject({ status: 'committing' });
  await chain.control('stall', false);
  await chain.advance(); // the pooled commit lands after all
  return id;
}

/** A hash commit saved as `committing` that the chain never received. */
const committing = (id: string, window: Partial<PendingCommit>): PendingCommit => ({
  id,
  kind: 'hash',
  status: 'committing',
  netuid: NETUID,
  hotkey: chain.alice.address,
  uids: [1],
  values: [65535],
  version_key: '0',
  salt: [1, 2, 3, 4, 5, 6, 7, 8],
  reveal_epoch: 0,
  first_reveal_block: 0,
  last_reveal_block: 0,
  ...window,
});

afterEach(async () => {
  await chain.stop();
  await store.clear();
});
afterAll(() => store.close());

describe('a hash commit whose send timed out', () => {
  it('is found on chain by the next run, then revealed in its window', async () => {
    await start('hash-commit-reveal');
    const id = await commitUnseen();
    const before = await followUp();
    expect(before.map((f) => [f.outcome, f.result.error_code])).toEqual([
      ['waiting', 'RevealNotYet'],
    ]);
    const confirmed = await commitDoc(id);
    expect(confirmed).toMatchObject({ status: 'committed' });
    expect(confirmed?.commit_block).toBeGreaterThan(0);

    while (best() + 1 < (confirmed?.first_reveal_block ?? 0)) await chain.advance();
    const [revealed] = await followUp();
    expect(revealed).toMatchObject({ outcome: 'revealed', record: true });
    expect(await commitDoc(id)).toMatchObject({ status: 'revealed' });
    expect(
      (await chain.api.query.subtensorModule.weights(NETUID, 0)).toJSON() as unknown[],
    ).toEqual([
      [1, 65535],
      [2, 21845],
    ]);
  });

  it('fails once its transaction can no longer land, when the chain never got it', async () => {
    await start('hash-commit-reveal');
    // A window far ahead, so only the era decides.
    const ghost = committing(`0x${'ab'.repeat(32)}`, {
      submitted_block: best(),
      reveal_epoch: 1000,
      first_reveal_block: 10_000,
      last_reveal_block: 10_009,
    });
    await saveCommit(store.db, ghost);
    expect((await followUp()).map((f) => f.outcome)).toEqual(['waiting']);
    await chain.advance(MORTAL_PERIOD + 1);
    const [gone] = await followUp();
    expect(gone).toMatchObject({ outcome: 'failed', record: true });
    expect(gone.result.error_code).toBe('CommitNotFound');
    expect(await commitDoc(ghost.id)).toMatchObject({ status: 'failed' });
    expect(await openCommits(store.db, chain.alice.address, NETUID)).toEqual([]);
  });

  it('expires when its reveal window passes before it is found', async () => {
    await start('hash-commit-reveal');
    const ghost = committing(`0x${'cd'.repeat(32)}`, {
      reveal_epoch: 1,
      first_reveal_block: 1,
      last_reveal_block: best() - 1,
    });
    await saveCommit(store.db, ghost);
    const [expired] = await followUp();
    expect(expired).toMatchObject({ outcome: 'expired', record: true });
    expect(expired.result.error_code).toBe('CommitExpired');
    expect(await commitDoc(ghost.id)).toMatchObject({ status: 'expired' });
  });
});

describe('a timelocked commit whose send timed out', () => {
  it('is found in TimelockedWeightCommits, then its reveal by the chain is seen', async () => {
    await start('current');
    const id = await commitUnseen();
    expect((await followUp()).map((f) => f.outcome)).toEqual(['waiting']);
    expect(await commitDoc(id)).toMatchObject({ status: 'committed' });
    const weights = async () =>
      (await chain.api.query.subtensorModule.weights(NETUID, 0)).toJSON() as unknown[];
    for (let i = 0; i < 40 && (await weights()).length === 0; i++) await chain.advance();
    expect(await weights()).toEqual([
      [1, 65535],
      [2, 21845],
    ]);
    const [seen] = await followUp();
    expect(seen).toMatchObject({ outcome: 'revealed', record: false });
    expect(await commitDoc(id)).toMatchObject({ status: 'revealed' });
  });
});
