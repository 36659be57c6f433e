// `weights publish` runs the audited cycle of publishWeightsTask: lease, follow-up of commits, one
// weight_transactions document per attempt (trigger "cli"), the Cloud Logging entry; a dry run
// records nothing. On a hash-scheme subnet a first publish commits and a later one reveals.
import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG } from '../../functions/src/config/scoring';
import { runPublishCycle } from '../../functions/src/publishing/run';
import { acquireLease, releaseLease } from '../../functions/src/state/publisher';
import {
  devnetPublishConfig,
  sealOnSubmit,
  setupSubnet,
  startTestChain,
  type TestChain,
} from '../support/devnet';
import { runWeights } from '../support/cli';
import { testFirestore } from '../support/firestore';
import { recordingLogger } from '../support/logger';
import { waitFor } from '../support/wait';

const weights = (args: string[]) =>
  runWeights(args, {
    FIRESTORE_EMULATOR_HOST: store.host,
    GCLOUD_PROJECT: store.projectId,
    SUBTENSOR_NETWORK: chain.devnet.url,
    NETUID: String(NETUID),
    VALIDATOR_HOTKEY: '//Alice',
    CHAIN_INCLUSION_TIMEOUT_MS: '10000',
  });

const NETUID = 78;
const store = testFirestore('cli-cycle');
let chain: TestChain;

async function start(runtime: 'current' | 'hash-commit-reveal', params: Record<string, unknown>) {
  chain = await startTestChain({ finalityLag: 1, runtime });
  sealOnSubmit(chain);
  const miners = await setupSubnet(chain, { netuid: NETUID, miners: 2, params });
  const at = Timestamp.fromMillis(Date.now() - 86_400e3);
  await store.db
    .collection('curated_leads')
    .doc('a')
    .set({ curated_by: miners[0].address, source: miners[1].address, created_at: at });
  await store.db
    .collection('curated_leads')
    .doc('b')
    .set({ curated_by: miners[0].address, source: miners[0].address, created_at: at });
}

afterEach(async () => {
  chain.devnet.onRequest(undefined);
  await chain.stop();
  await store.clear();
});
afterAll(() => store.close());

const transactions = async () =>
  (await store.db.collection('weight_transactions').orderBy('iteration_count').get()).docs.map(
    (doc) => ({ id: doc.id, ...doc.data() }) as Record<string, unknown> & { id: string },
  );

describe('weights publish, set_weights subnet', () => {
  it('records each attempt (trigger cli, iteration advancing) and its Cloud Logging entry', async () => {
    await start('current', { commitRevealWeightsEnabled: false, weightsSetRateLimit: 0 });
    const first = await weights(['publish']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Recorded weight transaction \w+ \(iteration 1, included\)/);
    // The structured entry a log agent ingests (stderr here: no terminal).
    const entry = JSON.parse(first.stderr.split('\n').find((l) => l.includes('logName')) ?? '{}');
    expect(entry.logName).toBe(`projects/${store.projectId}/logs/weight-transactions`);
    expect(entry.message).toMatchObject({ trigger: 'cli', status: 'included', iteration_count: 1 });

    const second = await weights(['publish', '--json']);
    expect(second.code).toBe(0);
    const shown = JSON.parse(second.stdout);
    expect(shown).toMatchObject({ status: 'included', record: { iteration_count: 2 } });
    const docs = await transactions();
    expect(docs.map((d) => [d.trigger, d.iteration_count, d.status])).toEqual([
      ['cli', 1, 'included'],
      ['cli', 2, 'included'],
    ]);
    expect(docs[1].id).toBe(shown.record.id);
    expect(docs[1].trigger_ref).toMatch(/@/);
  });

  it('--dry-run sends and records nothing, and says so', async () => {
    await start('current', { commitRevealWeightsEnabled: false, weightsSetRateLimit: 0 });
    const run = await weights(['publish', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Dry run: would call set_weights');
    expect(run.stdout).toContain('nothing was sent and nothing recorded');
    expect(await transactions()).toEqual([]);
    expect((await store.db.doc('validator_state/publisher').get()).exists).toBe(false);
    expect((await chain.api.query.subtensorModule.weights(NETUID, 0)).toJSON()).toEqual([]);
  });

  it('stands down for a running function, and a function stands down for it: PublisherBusy', async () => {
    await start('current', { commitRevealWeightsEnabled: false, weightsSetRateLimit: 0 });
    // A task holds the lease: the operator's publish stands down and says why.
    await acquireLease(store.db, 'publish-7/worker', Date.now());
    const busy = await weights(['publish', '--json']);
    expect(busy.code).toBe(0);
    expect(JSON.parse(busy.stdout)).toMatchObject({
      status: 'skipped',
      error_code: 'PublisherBusy',
    });
    await releaseLease(store.db, 'publish-7/worker');

    // The CLI holds the lease (its submission answered late): a task's cycle stands down.
    chain.devnet.controls.delaySubmissions(1500);
    const cli = weights(['publish', '--json']);
    await waitFor(async () => (await store.db.doc('validator_state/publisher').get()).get('lease'));
    const task = await runPublishCycle({
      db: store.db,
      projectId: store.projectId,
      signer: chain.alice,
      scoring: DEFAULT_SCORING_CONFIG,
      publishing: devnetPublishConfig(chain, NETUID),
      log: recordingLogger(),
      trigger: { kind: 'task', ref: 'publish-8' },
      holder: 'publish-8/worker',
    });
    expect(task.result.error_code).toBe('PublisherBusy');
    expect(JSON.parse((await cli).stdout)).toMatchObject({ status: 'included' });
    const docs = await transactions();
    expect(docs.map((d) => [d.trigger, d.status, d.error_code])).toEqual([
      ['cli', 'skipped', 'PublisherBusy'],
      ['task', 'skipped', 'PublisherBusy'],
      ['cli', 'included', null],
    ]);
  });
});

describe('weights publish, hash commit-reveal subnet', () => {
  it('commits, says when the window opens, then reveals from Firestore alone', async () => {
    await start('hash-commit-reveal', {
      commitRevealWeightsEnabled: true,
      tempo: 9,
      revealPeriodEpochs: 1,
      weightsSetRateLimit: 0,
    });
    const commit = JSON.parse((await weights(['publish', '--json'])).stdout);
    expect(commit).toMatchObject({ status: 'included', mode: 'commit' });

    const early = await weights(['publish', '--json']);
    const waiting = JSON.parse(early.stdout);
    expect(waiting).toMatchObject({ status: 'skipped', error_code: 'RevealPending' });
    expect(waiting.reason).toContain(`opens at block ${commit.first_reveal_block}`);
    const sentBefore = (
      await chain.api.rpc.system.accountNextIndex(chain.alice.address)
    ).toNumber();

    while (chain.devnet.chain.best.number + 1 < commit.first_reveal_block) await chain.advance();
    const reveal = JSON.parse((await weights(['publish', '--json'])).stdout);
    expect(reveal.follow_ups).toMatchObject([
      { commit_id: commit.commit_id, outcome: 'revealed', status: 'included' },
    ]);
    expect(sentBefore).toBe(1); // the early run sent nothing
    expect((await chain.api.query.subtensorModule.weights(NETUID, 0)).toJSON()).toEqual(
      commit.allocation.map((row: { uid: number; u16: number }) => [row.uid, row.u16]),
    );

    const docs = await transactions();
    const commitDoc = docs.find((d) => d.id === commit.record.id);
    const revealDoc = docs.find((d) => d.mode === 'reveal');
    expect(commitDoc).toMatchObject({ mode: 'commit', reveal_status: 'revealed' });
    expect(revealDoc).toMatchObject({ status: 'included', commit_transaction: commit.record.id });
    const history = await weights(['history']);
    expect(history.stdout).toContain(`reveals commit ${commit.record.id}`);
    expect(history.stdout).toMatch(new RegExp(`${commit.record.id}\\s+reveal revealed #\\d+`));
  }, 180_000);
});
