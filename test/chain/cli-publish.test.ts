import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWeights } from '../support/cli';
import { testFirestore } from '../support/firestore';
import { setupSubnet, startTestChain, type TestChain } from '../support/devnet';

// A validator hotkey known only to this test, given to the CLI the way an operator would.
const SECRET = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
const NOW = '2026-11-22T12:00:00Z';
const NETUID = 77;
const store = testFirestore('cli-publish');
let chain: TestChain;
let miners: Awaited<ReturnType<typeof setupSubnet>>;

beforeAll(async () => {
  chain = await startTestChain({ autoBlocks: true, blockTimeMs: 100, finalityLag: 1 });
  const validator = chain.keyring.addFromUri(SECRET);
  await chain.control('createSubnet', {
    netuid: NETUID,
    commitRevealWeightsEnabled: false,
    weightsSetRateLimit: 0,
  });
  await chain.control('registerNeuron', NETUID, validator.address);
  miners = [1, 2].map((i) => chain.keyring.addFromUri(`//CliMiner${i}`));
  for (const miner of miners) await chain.control('registerNeuron', NETUID, miner.address);
  await chain.control('setValidatorPermit', NETUID, 0, true);
  await store.clear();
  const at = Timestamp.fromMillis(Date.parse(NOW) - 86_400e3);
  await store.db
    .collection('curated_leads')
    .doc('a')
    .set({ curated_by: miners[0].address, source: miners[1].address, created_at: at });
  await store.db
    .collection('curated_leads')
    .doc('b')
    .set({ curated_by: miners[0].address, source: miners[0].address, created_at: at });
});
afterAll(async () => {
  await chain.stop();
  await store.close();
});

const weights = (args: string[], env: Record<string, string | undefined> = {}) =>
  runWeights(args, {
    FIRESTORE_EMULATOR_HOST: store.host,
    GCLOUD_PROJECT: store.projectId,
    SUBTENSOR_NETWORK: chain.devnet.url,
    NETUID: String(NETUID),
    VALIDATOR_HOTKEY: SECRET,
    CHAIN_INCLUSION_TIMEOUT_MS: '10000',
    ...env,
  });

function expectNoSecret(text: string) {
  const words = SECRET.split(' ');
  for (let i = 0; i + 1 < words.length; i++)
    expect(text).not.toContain(`${words[i]} ${words[i + 1]}`);
}

describe('weights publish', () => {
  it('--dry-run shows the exact uids and u16 weights and sends nothing', async () => {
    const run = await weights(['publish', '--dry-run', '--now', NOW]);
    expect(run.code).toBe(0);
    // curated: miner 1 ×2; sourced: miner 1 ×1, miner 2 ×1 → shares 0.8 / 0.2 → u16 65535 / 16384
    expect(run.stdout).toContain('Dry run: would call set_weights with version key 0:');
    expect(run.stdout).toContain('  uid 1 → 65535');
    expect(run.stdout).toContain('  uid 2 → 16384');
    expect((await chain.api.query.subtensorModule.weights(NETUID, 0)).toJSON()).toEqual([]);
    expectNoSecret(run.stdout + run.stderr);
  });

  it('publishes and prints the result as JSON', async () => {
    const run = await weights(['publish', '--json', '--now', NOW]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    // Landed: included, or already finalized by the time the node answered (both are correct).
    expect(['included', 'finalized']).toContain(result.status);
    expect(result).toMatchObject({
      netuid: NETUID,
      allocation: [
        { uid: 1, u16: 65535 },
        { uid: 2, u16: 16384 },
      ],
      validator_uid: 0,
    });
    expect((await chain.api.query.subtensorModule.weights(NETUID, 0)).toJSON()).toEqual([
      [1, 65535],
      [2, 16384],
    ]);
    expectNoSecret(run.stdout + run.stderr);
  });

  it('prints the published lines, with uids', async () => {
    const run = await weights(['publish', '--now', NOW]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('✅ Published new weights:');
    expect(run.stdout).toContain(` 1. ${miners[0].address} 0.8000 (80.00%) uid 1 → 65535`);
    expect(run.stdout).toContain('✓ Found 2 miners');
    expect(run.stdout).toContain('✓ Total share: 1.000000');
    expectNoSecret(run.stdout + run.stderr);
  });

  it('--endpoint and --netuid override the environment; a refusal exits 1', async () => {
    const run = await weights(
      ['publish', '--json', '--now', NOW, '--netuid', '9999', '--endpoint', chain.devnet.url],
      {
        SUBTENSOR_NETWORK: 'ws://127.0.0.1:1',
      },
    );
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 'failed',
      error_code: 'HotKeyNotRegisteredInSubNet',
      netuid: 9999,
    });
  });

  it('needs VALIDATOR_HOTKEY, and never repeats a bad one', async () => {
    const missing = await weights(['publish'], { VALIDATOR_HOTKEY: undefined });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('set VALIDATOR_HOTKEY');
    const wrong = SECRET.replace('yellow', 'zebra');
    const bad = await weights(['publish'], { VALIDATOR_HOTKEY: wrong });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a valid mnemonic');
    expect(bad.stderr).not.toContain('legal winner');
  });

  it('refuses a bad endpoint with a usage message', async () => {
    const run = await weights(['publish', '--endpoint', 'http://example']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/ws:\/\/ or wss:\/\/ URL/);
  });
});
