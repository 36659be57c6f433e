// The whole pipeline under `firebase emulators:exec`: the functions (built) run in the Functions
// emulator with the Firestore and Cloud Tasks emulators, and publish on a devnet started here.
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestChain, type TestChain } from '../support/devnet';
import {
  functionsProject,
  scenarioResult,
  type FunctionsProject,
} from '../support/functions-emulator';

const ROOT = resolve(__dirname, '../..');
const NETUID = 401;
const projectId = `demo-e2e-${process.pid}`;
let chain: TestChain;
let project: FunctionsProject;
let miners: string[];

beforeAll(async () => {
  chain = await startTestChain({ autoBlocks: true, blockTimeMs: 300, finalityLag: 1 });
  miners = ['//E2eMiner1', '//E2eMiner2'].map((uri) => chain.keyring.addFromUri(uri).address);
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
    // The scheduled run must publish although no lead changed the shares since the first run.
    UNCHANGED_REPUBLISH_MINUTES: '0',
    PUBLISH_RETRY_BASE_MS: '200',
  });
});

afterAll(async () => {
  await chain?.stop();
  project?.remove();
});

it('publishes after a curated lead and on the schedule, and records both', async () => {
  const output = await project.exec(
    `node ${resolve(ROOT, 'test/e2e/scenario.mjs')}`,
    { E2E_MINERS: JSON.stringify(miners), E2E_FUNCTIONS_HOST: project.functionsHost },
    150_000,
  );
  type Transaction = { iteration_count: number; trigger_ref: string; transaction_hash: string };
  const { fromLead, fromSchedule } = scenarioResult<{
    fromLead: Transaction;
    fromSchedule: Transaction;
  }>(output, 'E2E_RESULT');
  for (const doc of [fromLead, fromSchedule]) {
    expect(doc).toMatchObject({
      status: 'included',
      success: true,
      netuid: NETUID,
      uids: [1, 2],
      validator_hotkey: chain.alice.address,
    });
    expect(doc.transaction_hash).toMatch(/^0x[0-9a-f]{64}$/);
  }
  expect(fromLead.trigger_ref).toBe('e2e-lead-1');
  expect(fromLead.iteration_count).toBeLessThan(fromSchedule.iteration_count);
  const stored = await chain.api.query.subtensorModule.weights(NETUID, 0);
  expect(stored.toJSON()).toEqual([
    [1, 65535],
    [2, 43690],
  ]);
}, 200_000);
