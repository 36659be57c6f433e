// Issue 19 through the Functions emulator, at Firestore's real limits: 25,000 distinct
// unregistered hotkeys in the window (3,000 in one day and hour), an hour of 1,400-byte lead ids,
// ids at and under the 1,500-byte limit and multi-byte characters through the deployed triggers
// (the emulator delivered `é` as `Ã©`: such leads were recorded under ids no lead has), control
// characters through the trigger's code (the emulator never delivers their events). The deployed publish task folds it all and publishes the registered miners' weights on
// a devnet, equal to the full scan's, with a bounded record; the rollups agree with the full scan.
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestChain, type TestChain } from '../support/devnet';
import {
  functionsProject,
  scenarioResult,
  type FunctionsProject,
} from '../support/functions-emulator';

const ROOT = resolve(__dirname, '../..');
const NETUID = 402;
const SPAM = 25_000;
const projectId = `demo-capacity-${process.pid}`;
let chain: TestChain;
let project: FunctionsProject;
let miners: string[];

beforeAll(async () => {
  chain = await startTestChain({ autoBlocks: true, blockTimeMs: 300, finalityLag: 1 });
  miners = ['//CapMiner1', '//CapMiner2'].map((uri) => chain.keyring.addFromUri(uri).address);
  await chain.control('createSubnet', {
    netuid: NETUID,
    commitRevealWeightsEnabled: false,
    weightsSetRateLimit: 2,
  });
  for (const hotkey of [chain.alice.address, ...miners])
    await chain.control('registerNeuron', NETUID, hotkey);
  await chain.control('setValidatorPermit', NETUID, 0, true);
  project = await functionsProject(projectId, {
    SUBTENSOR_NETWORK: chain.devnet.url,
    NETUID: String(NETUID),
    PUBLISH_ATTEMPTS: '2',
    UNCHANGED_REPUBLISH_MINUTES: '0',
    PUBLISH_RETRY_BASE_MS: '200',
  });
});

afterAll(async () => {
  await chain?.stop();
  project?.remove();
});

type Slim = {
  method: string;
  fallback?: unknown;
  shares: Record<string, number>;
  miners: Record<string, unknown>;
  total: number;
};

it('publishes the registered miners through hostile bulk data, as the full scan counts them', async () => {
  const output = await project.exec(
    `node ${resolve(ROOT, 'test/e2e/rollups-capacity.mjs')}`,
    {
      E2E_MINERS: JSON.stringify(miners),
      E2E_FUNCTIONS_DIR: project.functionsDir,
      E2E_SPAM: String(SPAM),
    },
    540_000,
  );
  const result = scenarioResult<{
    fromSchedule: Record<string, unknown> & { weights: Record<string, number> };
    records: Array<{
      status: string;
      error_code: string | null;
      method: string;
      fallback?: unknown;
    }>;
    pending: number;
    strayRecords: string[];
    viaScan: Slim;
    viaRollups: Slim;
    differences: unknown[];
  }>(output, 'E2E_RESULT');
  const { fromSchedule, viaScan, viaRollups } = result;
  // Every hostile id recorded under itself (no stray, garbled id), everything folded.
  expect(result.strayRecords).toEqual([]);
  expect(result.pending).toBe(0);
  // Every publish the leads requested was recorded and included, none failed or fell back.
  for (const record of result.records) {
    expect(record).toMatchObject({ status: 'included', error_code: null, method: 'rollups' });
    expect(record.fallback).toBeUndefined();
  }
  expect(fromSchedule).toMatchObject({
    status: 'included',
    success: true,
    uids: [1, 2],
    method: 'rollups',
    unregistered_count: SPAM,
  });
  expect(fromSchedule.fallback).toBeUndefined();
  expect((fromSchedule.unregistered_hotkeys as string[]).length).toBe(100);
  // The registered miners' weights are the full scan's.
  expect(fromSchedule.weights).toEqual({
    '1': viaScan.shares[miners[0]],
    '2': viaScan.shares[miners[1]],
  });
  expect(viaRollups.method).toBe('rollups');
  expect(viaRollups.fallback).toBeUndefined();
  expect(viaRollups.miners).toEqual(viaScan.miners);
  expect(viaRollups.shares).toEqual(viaScan.shares);
  expect(viaRollups.total).toBe(viaScan.total);
  expect(result.differences).toEqual([]);
  // No unhandled error in any function, and no per-hotkey flood of warnings.
  const errors = output
    .split('\n')
    .filter((l) => /unhandled error|maximum entity size|longer than 1500/i.test(l));
  expect(errors).toEqual([]);
  expect(
    output.split('\n').filter((l) => l.includes('is not registered on subnet')).length,
  ).toBeLessThan(50);
}, 600_000);
