import { execFile } from 'node:child_process';
import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testFirestore } from '../support/firestore';
import { hotkey } from '../support/hotkeys';

const store = testFirestore('cli');
const NOW = '2026-11-22T12:00:00Z';
const inside = (daysAgo: number) => Timestamp.fromMillis(Date.parse(NOW) - daysAgo * 86_400e3);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function weights(
  args: string[],
  env: Record<string, string | undefined> = {},
  viaNpx = false,
): Promise<Run> {
  const [file, argv] = viaNpx
    ? ['npx', ['weights', ...args]]
    : [process.execPath, ['functions/bin/weights.js', ...args]];
  const childEnv = {
    ...process.env,
    FIRESTORE_EMULATOR_HOST: store.host,
    GCLOUD_PROJECT: undefined,
    ...env,
  };
  return new Promise((resolve) => {
    execFile(file, argv, { env: childEnv }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  await store.clear();
  const leads = store.db.collection('curated_leads');
  await leads.doc('a').set({ curated_by: hotkey(1), source: hotkey(2), created_at: inside(1) });
  await leads.doc('b').set({ curated_by: hotkey(1), source: hotkey(1), created_at: inside(20) });
  await leads.doc('old').set({ curated_by: hotkey(3), source: hotkey(3), created_at: inside(40) });
  await leads.doc('bad').set({ curated_by: hotkey(3), created_at: inside(2) });
});
afterAll(() => store.close());

describe('weights score', () => {
  it('--json prints only the result, read from the emulator', async () => {
    const run = await weights(
      ['score', '--json', '--now', NOW, '--project', store.projectId],
      {},
      true,
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.weights_dict).toEqual({ [hotkey(1)]: 0.6 + 0.4 * 0.5, [hotkey(2)]: 0.4 * 0.5 });
    expect(result.stats).toEqual({
      total_miners: 2,
      total_share: 1,
      min_share: 0.2,
      max_share: 0.8,
      mean_share: 0.5,
      zero_share_miners: 0,
    });
    expect(result.miners).toEqual({
      [hotkey(1)]: { curated: 2, sourced: 1 },
      [hotkey(2)]: { curated: 0, sourced: 1 },
    });
    expect(result.window).toEqual({
      start: '2026-10-23T12:00:00.000Z',
      end: '2026-11-22T12:00:00.000Z',
      days: 30,
    });
    expect(result.leads).toMatchObject({ counted: 2, skipped: { missing_source: 1 } });
    expect(result.skipped_leads).toEqual([{ id: 'bad', reason: 'missing_source' }]);
  });

  it('prints the score.py lines, warnings on stderr', async () => {
    const run = await weights(['score', '--now', NOW, '--window-days', '2.5'], {
      GCLOUD_PROJECT: store.projectId,
    });
    expect(run.code).toBe(0);
    // Over 2.5 days only lead "a" counts (hotkey 1 curated it, hotkey 2 sourced it); "bad" is skipped.
    expect(run.stdout.trimEnd().split('\n')).toEqual([
      'Starting miner share calculation',
      `Configuration loaded for project: ${store.projectId}`,
      'Will calculate shares for last 2.5 days',
      'Weights: Curated=0.6, Sourced=0.4',
      'Final shares calculated for 2 miners',
      'Top 5 miners by share:',
      `  ${hotkey(1)}: 0.6000 (curated: 1, sourced: 0)`,
      `  ${hotkey(2)}: 0.4000 (curated: 0, sourced: 1)`,
    ]);
    expect(run.stderr).toContain('Skipping lead bad: missing source (lead_id=bad, field=source)');
  });

  it('reads component weights from the environment', async () => {
    const run = await weights(['score', '--json', '--now', NOW, '--project', store.projectId], {
      CURATED_WEIGHT: '1',
      SOURCED_WEIGHT: '0',
    });
    expect(JSON.parse(run.stdout).weights_dict).toEqual({ [hotkey(1)]: 1, [hotkey(2)]: 0 });
  });

  it.each([
    [['score', '--bogus'], /Unknown option '--bogus'/],
    [['score', '--window-days', 'abc'], /--window-days needs a number, got "abc"/],
    [['score', '--window-days=-3'], /window must be a number of days/],
    [['score', '--now', 'tuesday'], /--now needs an ISO-8601 time, got "tuesday"/],
    [['score', 'extra'], /Unexpected argument 'extra'/],
    [['rank'], /unknown command "rank"/],
    [[], /Usage: weights <command>/],
  ])('refuses %j with a usage message and exit code 2', async (args, message) => {
    const run = await weights(args);
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toMatch(message);
  });

  it('says how to choose a project when it has none', async () => {
    const run = await weights(['score'], {
      FIRESTORE_EMULATOR_HOST: undefined,
      GOOGLE_CLOUD_PROJECT: undefined,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no project: pass --project <id>/);
  });
});

describe('weights history', () => {
  it('lists the audit trail newest first, failures alone with --failed', async () => {
    const trail = store.db.collection('weight_transactions');
    const at = (minutes: number) => Timestamp.fromMillis(Date.parse(NOW) + minutes * 60_000);
    await trail.doc('t1').set({
      ts: at(1),
      status: 'included',
      success: true,
      iteration_count: 1,
      netuid: 401,
      block_number: 10,
      transaction_hash: `0x${'a'.repeat(64)}`,
      uids: [1, 2],
      trigger: 'curated_lead',
    });
    await trail.doc('t2').set({
      ts: at(2),
      status: 'failed',
      success: false,
      iteration_count: 2,
      netuid: 401,
      block_number: null,
      uids: [],
      trigger: 'schedule',
      error_code: 'IncorrectWeightVersionKey',
      error_message: 'bad key',
    });
    const json = await weights(['history', '--json', '--project', store.projectId]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).map((t: { id: string }) => t.id)).toEqual(['t2', 't1']);
    const failed = await weights(['history', '--failed', '--project', store.projectId]);
    expect(failed.stdout.trim().split('\n')).toHaveLength(1);
    expect(failed.stdout).toContain('failed');
    expect(failed.stdout).toContain('IncorrectWeightVersionKey: bad key');
    const bad = await weights(['history', '--limit', '0', '--project', store.projectId]);
    expect(bad.code).toBe(2);
  });
});
