// The validator's own hotkey named as a miner gets no weight unless allowed (issue 12, finding 4:
// it got share 0.16 and a self-weight of 40329).
import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG } from '../../functions/src/config/scoring';
import { dryRunPublish } from '../../functions/src/publishing/run';
import {
  devnetPublishConfig,
  setupSubnet,
  startTestChain,
  type TestChain,
} from '../support/devnet';
import { testFirestore } from '../support/firestore';
import { recordingLogger } from '../support/logger';

const NETUID = 41;
const store = testFirestore('self-weight');
let chain: TestChain;
let miner: string;

beforeAll(async () => {
  chain = await startTestChain();
  [{ address: miner }] = await setupSubnet(chain, { netuid: NETUID, miners: 1 });
  const at = Timestamp.fromMillis(Date.now() - 3600e3);
  const leads = store.db.collection('curated_leads');
  // Two leads curated by the validator itself, three by the miner: shares 0.4 and 0.6 on curation.
  for (const [id, curator] of [
    ['a', chain.alice.address],
    ['b', chain.alice.address],
    ['c', miner],
    ['d', miner],
    ['e', miner],
  ]) {
    await leads.doc(id).set({ curated_by: curator, source: miner, created_at: at });
  }
});
afterAll(async () => {
  await chain.stop();
  await store.close();
});

async function dryRun(allowSelfWeight?: boolean) {
  const log = recordingLogger();
  const result = await dryRunPublish({
    db: store.db,
    projectId: store.projectId,
    signer: chain.alice,
    scoring: DEFAULT_SCORING_CONFIG,
    publishing: devnetPublishConfig(chain, NETUID, { allowSelfWeight }),
    log,
  });
  return { result, log };
}

describe("the validator's own hotkey", () => {
  it('is left out of the weights, with a warning', async () => {
    const { result, log } = await dryRun();
    expect(result.status).toBe('dry-run');
    // Uid 0 is the validator's: it gets nothing, so no row at all.
    expect(result.allocation.map(({ uid, hotkey }) => ({ uid, hotkey }))).toEqual([
      { uid: 1, hotkey: miner },
    ]);
    expect(log.messages('WARN').join('\n')).toMatch(
      new RegExp(`validator's own hotkey ${chain.alice.address} .* is dropped`),
    );
  });

  it('keeps its share with ALLOW_SELF_WEIGHT', async () => {
    const { result } = await dryRun(true);
    expect(result.allocation.find((row) => row.uid === 0)).toMatchObject({
      hotkey: chain.alice.address,
    });
  });
});
