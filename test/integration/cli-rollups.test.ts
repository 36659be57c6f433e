// The command line of the rollups: `weights rollups rebuild`, `weights score --json` (method and
// documents read), and `weights rollups check` naming a corrupted aggregate. (`--full-scan` is
// `calculateWeights` with method full_scan, compared in test/integration/rollups.test.ts.)
import { execFile } from 'node:child_process';
import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testFirestore } from '../support/firestore';
import { hotkey } from '../support/hotkeys';
import { leadWriter } from '../support/rollups';

const store = testFirestore('cli-rollups');
const NOW = '2026-11-22T12:00:00Z';
const daysAgo = (days: number) => Timestamp.fromMillis(Date.parse(NOW) - days * 86_400e3);

function weights(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, FIRESTORE_EMULATOR_HOST: store.host, GCLOUD_PROJECT: undefined };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['functions/bin/weights.js', ...args, '--project', store.projectId],
      { env },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  await store.clear();
  // Written before the rollups existed: only a rebuild brings them in.
  await leadWriter(store.db).put(
    {
      a: { curated_by: hotkey(1), source: hotkey(2), created_at: daysAgo(1) },
      b: { curated_by: hotkey(1), source: hotkey(1), created_at: daysAgo(20) },
      old: { curated_by: hotkey(3), source: hotkey(3), created_at: daysAgo(40) },
      bad: { curated_by: hotkey(3), created_at: daysAgo(2) },
    },
    false,
  );
});
afterAll(() => store.close());

it('rebuilds, scores from the rollups, and names what a corrupted aggregate changed', async () => {
  const rebuild = await weights(['rollups', 'rebuild']);
  expect(rebuild.code).toBe(0);
  expect(rebuild.stdout).toMatch(/Lead rollups rebuilt \(generation 1\): 4 leads in /);
  // No trigger has recorded a write in this database: the operator is told what that means.
  expect(rebuild.stderr).toMatch(/No lead write has been observed by the functions yet/);

  const viaRollups = await weights(['score', '--json', '--now', NOW]);
  const rollups = JSON.parse(viaRollups.stdout);
  expect(rollups).toMatchObject({
    method: 'rollups',
    rollups: { status: 'complete', generation: 1, folded: 0 },
    weights_dict: { [hotkey(1)]: 0.6 + 0.4 * 0.5, [hotkey(2)]: 0.4 * 0.5 },
  });
  expect(rollups.leads).toMatchObject({ read: 0, counted: 2, outside_window: 1, total: 4 });
  expect(rollups.leads.skipped.missing_source).toBe(1);
  // The state and the 31 days of the window; no lead.
  expect(rollups.reads).toEqual({ documents: 32, aggregates: 32, leads: 0 });

  const day = store.db.doc(`lead_rollups/curated_leads/rollup_days/g1-2026-11-21`);
  const miners = (await day.get()).get('miners');
  miners[hotkey(2)].sourced[12] = 5;
  await day.update({ miners });
  const check = await weights(['rollups', 'check', '--now', NOW]);
  expect(check.code).toBe(1);
  expect(check.stderr).toContain(
    `Differs: miner ${hotkey(2)}: rollups {"curated":0,"sourced":5}, full scan {"curated":0,"sourced":1}`,
  );
});
