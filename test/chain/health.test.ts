// The weight-health check against devnet and the Firestore emulator, with a webhook receiver on
// 127.0.0.1: a stall crossing the warning and critical thresholds (one message each, one recovery
// once a publish lands), a lost permit and a stake below the minimum on every runtime profile, a
// reveal window closing and missed, the chain unreachable, and a failing webhook retried and
// recorded. `weights health` is run as the operator runs it.
import { Writable } from 'node:stream';
import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RUNTIME_PROFILES } from '../../devnet/src/profiles';
import { DEFAULT_SCORING_CONFIG } from '../../functions/src/config/scoring';
import type { HealthDoc } from '../../functions/src/health/incidents';
import {
  evaluateNow,
  healthRef,
  runHealthCheck,
  type StructuredEntry,
} from '../../functions/src/health/run';
import { runPublishCycle } from '../../functions/src/publishing/run';
import { freePort } from '../../scripts/emulators/firestore.mjs';
import { runWeights } from '../support/cli';
import {
  devnetPublishConfig,
  sealOnSubmit,
  setupSubnet,
  startTestChain,
  type TestChain,
} from '../support/devnet';
import { testFirestore } from '../support/firestore';
import { recordingLogger } from '../support/logger';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const NETUID = 83;
const CUTOFF = 100;
const store = testFirestore('health');
let chain: TestChain;
let hook: WebhookReceiver;
let entries: StructuredEntry[];
let log: ReturnType<typeof recordingLogger>;
let published = 0;

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  SUBTENSOR_NETWORK: chain.devnet.url,
  NETUID: String(NETUID),
  CHAIN_CONNECT_TIMEOUT_MS: '5000',
  CHAIN_READ_TIMEOUT_MS: '5000',
  HEALTH_WEBHOOK_FORMAT: 'generic',
  HEALTH_WEBHOOK_ATTEMPTS: '3',
  HEALTH_WEBHOOK_RETRY_BASE_MS: '10',
  HEALTH_REMINDER_MINUTES: '0',
  ...extra,
});

const check = (extra: Record<string, string> = {}) =>
  runHealthCheck({
    db: store.db,
    log,
    env: env(extra),
    write: (entry) => entries.push(entry),
    webhookUrl: hook.url,
  });

const stored = async () => (await healthRef(store.db).get()).data() as HealthDoc;
const delivered = () => hook.received.filter((r) => r.status === 200).map((r) => r.body);

async function start(
  runtime: (typeof RUNTIME_PROFILES)[number] = 'current',
  params: Record<string, unknown> = {},
  omit: string[] = [],
) {
  chain = await startTestChain({ finalityLag: 0, runtime, omit });
  sealOnSubmit(chain);
  const miners = await setupSubnet(chain, {
    netuid: NETUID,
    miners: 2,
    params: { weightsSetRateLimit: 2, ...params },
  });
  await chain.control('setHyperparameter', 'activityCutoff', NETUID, CUTOFF);
  await chain.advance();
  const at = Timestamp.fromMillis(Date.now() - 86_400e3);
  await store.db
    .collection('curated_leads')
    .doc('a')
    .set({ curated_by: miners[0].address, source: miners[1].address, created_at: at });
  hook = await startWebhookReceiver();
  entries = [];
  log = recordingLogger();
}

const landed = (result: { status: string }) => ['included', 'finalized'].includes(result.status);

async function publish() {
  published += 1;
  const { result } = await runPublishCycle({
    db: store.db,
    projectId: store.projectId,
    signer: chain.alice,
    scoring: DEFAULT_SCORING_CONFIG,
    publishing: devnetPublishConfig(chain, NETUID),
    log: recordingLogger(),
    trigger: { kind: 'task', ref: `publish-${published}` },
    holder: `publish-${published}/worker`,
    auditTransport: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  return result;
}

/** Nothing the check wrote, logged or stored names the webhook's URL or its secret path. */
async function expectNoSecret() {
  const everything = JSON.stringify([log.lines, entries, await stored()]);
  expect(everything).not.toContain(hook.secretPath);
  expect(everything).not.toContain(hook.url);
  expect(everything).not.toContain('s3cr3t');
}

afterEach(async () => {
  await chain?.stop();
  await hook?.close();
  await store.clear();
});
afterAll(() => store.close());

describe('a stall crossing the thresholds', () => {
  it('sends one warning, one critical, one recovery once a publish lands', async () => {
    await start();
    expect(landed(await publish())).toBe(true);
    let run = await check();
    expect(run?.evaluation).toMatchObject({ status: 'ok', reasons: [] });
    expect(run?.evaluation.numbers).toMatchObject({
      activity_cutoff: CUTOFF,
      activity_cutoff_source: 'chain',
      warning_at_blocks: 50,
      critical_at_blocks: 80,
      validator_permit: true,
      block_seconds: expect.any(Number),
    });
    expect(hook.received).toEqual([]);
    expect(entries).toEqual([]);

    // Publishing stalls: LastUpdate ages past half the cutoff.
    await chain.advance(50);
    run = await check();
    expect(run?.evaluation.status).toBe('warning');
    expect(run?.evaluation.reasons.map((r) => [r.code, r.severity])).toEqual([
      ['last_update_stale', 'warning'],
    ]);
    const numbers = run?.evaluation.numbers;
    expect(numbers?.blocks_since_update).toBeGreaterThanOrEqual(50);
    expect(numbers?.seconds_to_critical).toBe(
      (80 - (numbers?.blocks_since_update ?? 0)) * (numbers?.block_seconds ?? 0),
    );
    // `weights health`, as the operator runs it: the same verdict, exit code 1.
    const cli = await runWeights(['health'], {
      ...env(),
      FIRESTORE_EMULATOR_HOST: store.host,
      GCLOUD_PROJECT: store.projectId,
    });
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stdout).toContain('Weight health: WARNING');
    expect(cli.stdout).toContain('[warning] last_update_stale');
    const json = await runWeights(['health', '--json'], {
      ...env(),
      FIRESTORE_EMULATOR_HOST: store.host,
      GCLOUD_PROJECT: store.projectId,
    });
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'warning',
      reasons: [{ code: 'last_update_stale' }],
      recorded: { status: 'warning', incident: { status: 'warning' } },
    });
    console.log(`weights health (warning):\n${cli.stdout}`);

    // The same state again, and a restart (a new check from scratch): nothing more is sent.
    await check();
    await chain.advance(5);
    await check();
    expect(delivered()).toHaveLength(1);

    await chain.advance(30);
    run = await check();
    expect(run?.evaluation.status).toBe('critical');
    await check();

    // The chain out of reach during the incident: a finding, not a crash, and nothing eases.
    run = await check({ SUBTENSOR_NETWORK: 'ws://127.0.0.1:9', CHAIN_CONNECT_TIMEOUT_MS: '1000' });
    expect(run?.evaluation.status).toBe('critical');
    expect(run?.evaluation.reasons.map((r) => r.code)).toContain('chain_unreachable');
    expect(delivered()).toHaveLength(2);

    // A publish lands: the next check recovers.
    expect(landed(await publish())).toBe(true);
    run = await check();
    expect(run?.evaluation).toMatchObject({ status: 'ok', reasons: [] });
    await check();

    const messages = delivered();
    expect(messages.map((m) => [m.kind, m.status])).toEqual([
      ['opened', 'warning'],
      ['escalated', 'critical'],
      ['resolved', 'ok'],
    ]);
    const incident = (messages[0].incident as { id: string }).id;
    expect(messages.map((m) => (m.incident as { id: string }).id)).toEqual([
      incident,
      incident,
      incident,
    ]);
    expect(String(messages[1].text)).toContain('last_update_stale');
    expect(entries.map((e) => [e.severity, e.health_status, e.previous_status])).toEqual([
      ['WARNING', 'warning', 'ok'],
      ['ALERT', 'critical', 'warning'],
      ['NOTICE', 'ok', 'critical'],
    ]);
    expect(entries[1]['logging.googleapis.com/labels']).toEqual({
      weights_event: 'health_changed',
      weights_health: 'critical',
      weights_previous_health: 'warning',
      weights_netuid: String(NETUID),
    });
    const doc = await stored();
    expect(doc).toMatchObject({ status: 'ok', incident: null });
    expect(doc.incidents).toHaveLength(1);
    expect(doc.incidents[0]).toMatchObject({
      id: incident,
      worst: 'critical',
      codes: ['last_update_stale', 'chain_unreachable'],
    });
    expect(doc.deliveries.map((d) => [d.kind, d.outcome])).toEqual([
      ['resolved', 'delivered'],
      ['escalated', 'delivered'],
      ['opened', 'delivered'],
    ]);
    await expectNoSecret();
  }, 60_000);
});

describe.each(RUNTIME_PROFILES)('runtime %s', (runtime) => {
  it('names a lost validator permit and a stake below the minimum', async () => {
    await start(runtime);
    const judge = () =>
      evaluateNow({ db: store.db, log, env: env(), validator: chain.alice.address });
    let evaluation = await judge();
    expect(evaluation.status).toBe('ok');
    expect(evaluation.numbers).toMatchObject({ validator_uid: 0, stake: '1000000000' });

    await chain.control('setValidatorPermit', NETUID, 0, false);
    await chain.advance();
    evaluation = await judge();
    expect(evaluation.status).toBe('critical');
    expect(evaluation.reasons.map((r) => r.code)).toEqual(['no_validator_permit']);
    expect(evaluation.numbers.validator_permit).toBe(false);

    await chain.control('setValidatorPermit', NETUID, 0, true);
    // StakeThreshold on current runtimes, WeightsMinStake on spec-218: the same control sets either.
    await chain.control('setHyperparameter', 'stakeThreshold', null, 2_000_000_000);
    await chain.advance();
    evaluation = await judge();
    expect(evaluation.reasons.map((r) => [r.code, r.severity])).toEqual([
      ['stake_below_minimum', 'critical'],
    ]);
    expect(evaluation.numbers).toMatchObject({ stake: '1000000000', min_stake: '2000000000' });

    await chain.control('setHyperparameter', 'stakeThreshold', null, 950_000_000);
    await chain.advance();
    evaluation = await judge();
    expect(evaluation.reasons.map((r) => [r.code, r.severity])).toEqual([
      ['stake_near_minimum', 'warning'],
    ]);
    expect(evaluation.numbers.missing_items).toBeUndefined();
  });
});

describe('commit-reveal, hash scheme', () => {
  it('names a reveal window about to pass, then missed', async () => {
    await start('hash-commit-reveal', { commitRevealWeightsEnabled: true, tempo: 9 });
    const commit = await publish();
    expect(commit.mode).toBe('commit');
    expect(landed(commit)).toBe(true);
    const first = commit.first_reveal_block ?? 0;
    const last = commit.last_reveal_block ?? 0;
    const judge = () => evaluateNow({ db: store.db, log, env: env() });

    const best = async () => (await chain.api.rpc.chain.getHeader()).number.toNumber();
    // Into the window's second half, unrevealed.
    await chain.advance(last - 2 - (await best()));
    let evaluation = await judge();
    expect(evaluation.numbers.open_commits).toEqual([
      { first_reveal_block: first, last_reveal_block: last, blocks_left: 2 },
    ]);
    expect(evaluation.reasons.map((r) => [r.code, r.severity])).toEqual([
      ['reveal_window_closing', 'warning'],
    ]);

    await chain.advance(3);
    evaluation = await judge();
    expect(evaluation.status).toBe('critical');
    expect(evaluation.reasons.map((r) => r.code)).toEqual(['reveal_window_missed']);
    expect(evaluation.reasons[0].message).toContain(`window ended at block ${last}`);
  });
});

describe('the webhook', () => {
  it('is retried with backoff on failure, and each delivery is recorded', async () => {
    await start();
    expect(landed(await publish())).toBe(true);
    await chain.control('setValidatorPermit', NETUID, 0, false);
    await chain.advance();
    hook.answer(500, 503);
    let run = await check();
    expect(run?.delivery).toMatchObject({ kind: 'opened', outcome: 'delivered' });
    expect(run?.delivery?.attempts.map((a) => a.result)).toEqual([
      'http 500',
      'http 503',
      'http 200',
    ]);
    expect(hook.received.map((r) => r.status)).toEqual([500, 503, 200]);

    // Every attempt fails: recorded as failed, logged without the URL, and the check goes on.
    await chain.control('setValidatorPermit', NETUID, 0, true);
    await chain.advance();
    hook.answer(500, 500, 500);
    run = await check();
    expect(run?.evaluation.status).toBe('ok');
    expect(run?.delivery).toMatchObject({ kind: 'resolved', outcome: 'failed' });
    const doc = await stored();
    expect(doc.deliveries.map((d) => [d.kind, d.outcome, d.attempts.length])).toEqual([
      ['resolved', 'failed', 3],
      ['opened', 'delivered', 3],
    ]);
    expect(log.messages('WARN').join('\n')).toContain(
      'Weight health webhook failed (resolved, incident',
    );
    expect(doc).toMatchObject({ status: 'ok', incident: null });

    // A webhook that cannot be reached at all: a socket error's code, never its message.
    await chain.control('setValidatorPermit', NETUID, 0, false);
    await chain.advance();
    const closed = hook.url.replace(/:\d+\//, `:${await freePort()}/`);
    run = await runHealthCheck({
      db: store.db,
      log,
      env: env(),
      write: (entry) => entries.push(entry),
      webhookUrl: closed,
    });
    expect(run?.delivery?.attempts.map((a) => a.result)).toEqual([
      'ECONNREFUSED',
      'ECONNREFUSED',
      'ECONNREFUSED',
    ]);
    await expectNoSecret();
  });
});

describe('a runtime without the optional items', () => {
  it('judges with the fallbacks and names what it lacks', async () => {
    const optional = [
      'SubtensorModule.ActivityCutoff',
      'SubtensorModule.TotalHotkeyAlpha',
      'SubtensorModule.StakeThreshold',
      'SubtensorModule.ValidatorPermit',
    ];
    chain = await startTestChain({ finalityLag: 0, omit: optional });
    sealOnSubmit(chain);
    await setupSubnet(chain, { netuid: NETUID, miners: 2, params: { weightsSetRateLimit: 2 } });
    hook = await startWebhookReceiver();
    log = recordingLogger();
    await chain.control('setValidatorPermit', NETUID, 0, false); // unseen: no such item
    await chain.advance();
    const evaluation = await evaluateNow({
      db: store.db,
      log,
      env: env(),
      validator: chain.alice.address,
    });
    // subtensor's default cutoff; no permit or stake to judge (the permit taken away is unseen).
    expect(evaluation.status).toBe('ok');
    expect(evaluation.numbers).toMatchObject({
      activity_cutoff: 5000,
      activity_cutoff_source: 'default',
      // In the list's order; neither minimum-stake item is left (current runtimes have only one).
      missing_items: [
        'SubtensorModule.ActivityCutoff',
        'SubtensorModule.ValidatorPermit',
        'SubtensorModule.TotalHotkeyAlpha',
        'SubtensorModule.StakeThreshold',
        'SubtensorModule.WeightsMinStake',
      ],
    });
    expect(evaluation.numbers.stake).toBeUndefined();
    expect(evaluation.numbers.validator_permit).toBeUndefined();

    // Without Uids nothing can be judged on chain: said by name, not thrown.
    await chain.stop();
    chain = await startTestChain({ finalityLag: 0, omit: ['SubtensorModule.Uids'] });
    const blind = await evaluateNow({
      db: store.db,
      log,
      env: env(),
      validator: chain.alice.address,
    });
    expect(blind.reasons.map((r) => r.code)).toEqual(['chain_unreachable']);
    expect(blind.reasons[0].message).toContain('UnsupportedRuntime: SubtensorModule.Uids missing');
  });
});
