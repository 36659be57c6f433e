// 300 curated leads in 10 seconds through the Functions emulator: the deployed trigger records
// every one (no lost count, no failed invocation, no contention), and scoring from the rollups
// counts exactly what the full scan counts. No chain: publishing fails to connect and is retried
// later by Cloud Tasks, which does not matter here.
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  functionsProject,
  scenarioResult,
  type FunctionsProject,
} from '../support/functions-emulator';
import type { ScoringResult } from '../../functions/src/scoring/calculate-weights';
import { hotkey } from '../support/hotkeys';

const ROOT = resolve(__dirname, '../..');
const projectId = `demo-burst-${process.pid}`;
const miners = Array.from({ length: 12 }, (_, i) => hotkey(i + 1));
let project: FunctionsProject;

beforeAll(async () => {
  // A closed local port: the publish a new lead requests fails at once, never leaves the machine.
  project = await functionsProject(projectId, {
    SUBTENSOR_NETWORK: 'ws://127.0.0.1:9',
    PUBLISH_ATTEMPTS: '1',
  });
});

afterAll(() => project?.remove());

it('records a burst of 300 leads in 10 s exactly, and scores them as the full scan does', async () => {
  const output = await project.exec(
    `node ${resolve(ROOT, 'test/e2e/rollups-burst.mjs')}`,
    { E2E_MINERS: JSON.stringify(miners), E2E_FUNCTIONS_DIR: project.functionsDir },
    120_000,
  );
  const { burstMs, leadCount, viaRollups, viaScan } = scenarioResult<{
    burstMs: number;
    leadCount: number;
    viaRollups: ScoringResult;
    viaScan: ScoringResult;
  }>(output, 'E2E_RESULT');
  // How fast the driver wrote is the machine's business: reported, not asserted.
  console.log(`rollups burst: 300 leads written in ${burstMs} ms`);
  // 300 written, 4 deleted during the burst.
  expect(leadCount).toBe(296);
  expect(viaRollups.method).toBe('rollups');
  expect(viaRollups.leads.total).toBe(296);
  expect(viaRollups.miners).toEqual(viaScan.miners);
  expect(viaRollups.weights_dict).toEqual(viaScan.weights_dict);
  expect(viaRollups.leads.skipped).toEqual(viaScan.leads.skipped);
  expect(viaRollups.leads.counted + viaRollups.leads.skipped.missing_source).toBe(296);
  // Each of the 309 writes (300 leads, 5 changes, 4 deletes) ran exactly one trigger once, to
  // the end: the one for its kind of event, no retry, no failure. The one error expected is the
  // publish that cannot connect.
  const runs = (word: string, fn: string) =>
    output.split('\n').filter((l) => l.includes(`${word} "us-central1-${fn}"`));
  for (const [fn, count] of [
    ['onCuratedLeadCreated', 300],
    ['onCuratedLeadUpdated', 5],
    ['onCuratedLeadDeleted', 4],
  ] as const) {
    expect(runs('Beginning execution of', fn), fn).toHaveLength(count);
    expect(runs('Finished', fn), fn).toHaveLength(count);
  }
  const errors = output
    .split('\n')
    .filter((l) => /unhandled error|aborted|contention|failed_precondition/i.test(l))
    .filter((l) => !l.includes('ConnectionFailed'));
  expect(errors).toEqual([]);
}, 150_000);
