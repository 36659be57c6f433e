// The whole pipeline under `firebase emulators:exec`: the functions (built) run in the Functions
// emulator with the Firestore and Cloud Tasks emulators, and publish on a devnet started here.
import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../scripts/emulators/firestore.mjs';
import { writeFunctionsEnv } from '../../scripts/emulators/functions-env.mjs';
import { setupLocalEmulators } from '../../scripts/emulators/setup.mjs';
import { startTestChain, type TestChain } from '../support/devnet';

const ROOT = resolve(__dirname, '../..');
const NETUID = 401;
const projectId = `demo-e2e-${process.pid}`;
let chain: TestChain;
let project: string;
let miners: string[];
let functionsHost: string;

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

  // A throwaway Firebase project directory: the built functions, their env and the emulator's secret.
  project = mkdtempSync(join(tmpdir(), 'lead-weights-e2e-'));
  const functions = join(project, 'functions');
  mkdirSync(functions);
  cpSync(join(ROOT, 'functions/lib'), join(functions, 'lib'), { recursive: true });
  cpSync(join(ROOT, 'functions/package.json'), join(functions, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(functions, 'node_modules'), 'dir');
  writeFunctionsEnv(functions, projectId, {
    SUBTENSOR_NETWORK: chain.devnet.url,
    NETUID: String(NETUID),
    PUBLISH_ATTEMPTS: '2',
    // The scheduled run must publish although no lead changed the shares since the first run.
    UNCHANGED_REPUBLISH_MINUTES: '0',
    PUBLISH_RETRY_BASE_MS: '200',
  });
  writeFileSync(join(functions, '.secret.local'), 'VALIDATOR_HOTKEY=//Alice\n');
  const ports = await Promise.all(Array.from({ length: 6 }, () => freePort()));
  const config = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8'));
  delete config.functions[0].predeploy;
  config.emulators = {
    singleProjectMode: true,
    firestore: { host: '127.0.0.1', port: ports[0], websocketPort: ports[1] },
    functions: { host: '127.0.0.1', port: ports[2] },
    hub: { host: '127.0.0.1', port: ports[3] },
    logging: { host: '127.0.0.1', port: ports[4] },
    tasks: { host: '127.0.0.1', port: ports[5] },
    ui: { enabled: false },
  };
  delete config.firestore;
  functionsHost = `127.0.0.1:${ports[2]}`;
  writeFileSync(join(project, 'firebase.json'), JSON.stringify(config, null, 2));
  setupLocalEmulators();
});

afterAll(async () => {
  await chain?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
});

it('publishes after a curated lead and on the schedule, and records both', async () => {
  const output = await new Promise<string>((done, fail) => {
    execFile(
      join(ROOT, 'node_modules/.bin/firebase'),
      [
        'emulators:exec',
        '--only',
        'functions,firestore,tasks',
        '--project',
        projectId,
        `node ${join(ROOT, 'test/e2e/scenario.mjs')}`,
      ],
      {
        cwd: project,
        env: {
          ...process.env,
          E2E_MINERS: JSON.stringify(miners),
          E2E_FUNCTIONS_HOST: functionsHost,
          METADATA_SERVER_DETECTION: 'none',
          CI: 'true',
          FIRESTORE_EMULATOR_HOST: undefined,
        },
        timeout: 150_000,
        maxBuffer: 32 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        error ? fail(new Error(`${error.message}\n${stdout}\n${stderr}`)) : done(stdout),
    );
  });
  const line = output.split('\n').find((l) => l.includes('E2E_RESULT '));
  expect(line, output).toBeDefined();
  const { fromLead, fromSchedule } = JSON.parse(
    (line ?? '').slice((line ?? '').indexOf('E2E_RESULT ') + 11),
  );
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
