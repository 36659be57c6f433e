// Each runtime item the publisher touches, removed alone from devnet's metadata: publishing still
// works (an optional item, with its fallback) or refuses by name (a required one). The list is the
// publisher's own (RUNTIME_ITEMS), so a new read cannot skip this check.
import { afterAll, describe, expect, it } from 'vitest';
import {
  chooseForm,
  ITEM_NAMES,
  RUNTIME_ITEMS,
  type ItemName,
} from '../../functions/src/chain/runtime-items';
import { publishWeights } from '../../functions/src/publishing/publish';
import { devnetPublishConfig, sealOnSubmit, setupSubnet, startTestChain } from '../support/devnet';
import { testFirestore } from '../support/firestore';
import { recordingLogger } from '../support/logger';

const store = testFirestore('runtime-items');
afterAll(() => store.close());
const NETUID = 61;

// Items the current profile does not have at all (the older runtimes' name for the minimum
// stake): its metadata already lacks them, so there is nothing to remove.
const NOT_IN_CURRENT = new Set<ItemName>(['SubtensorModule.WeightsMinStake']);

/** What a publish reports on a runtime without `item`, with commit-reveal off or on. */
async function publishWithout(item: ItemName, commitReveal: boolean) {
  const omit = NOT_IN_CURRENT.has(item) ? [] : [item];
  const chain = await startTestChain({ finalityLag: 0, omit });
  try {
    sealOnSubmit(chain);
    const miners = await setupSubnet(chain, {
      netuid: NETUID,
      miners: 2,
      params: { commitRevealWeightsEnabled: commitReveal, tempo: 9, weightsSetRateLimit: 0 },
    });
    return await publishWeights({
      shares: { [miners[0].address]: 0.6, [miners[1].address]: 0.4 },
      signer: chain.alice,
      config: devnetPublishConfig(chain, NETUID),
      log: recordingLogger(),
      db: store.db,
    });
  } finally {
    await chain.stop();
    await store.clear();
  }
}

describe.each([false, true])('commit-reveal %s, each item removed alone', (commitReveal) => {
  it.each(ITEM_NAMES)('%s', async (item) => {
    const result = await publishWithout(item, commitReveal);
    // Without the switch in its metadata the publisher takes commit-reveal as off (the fallback).
    const hidden = item === 'SubtensorModule.CommitRevealWeightsEnabled';
    const choice = chooseForm(new Set([item]), commitReveal && !hidden);
    if ('missing' in choice) {
      // Refused by name, recorded like any other failure, never a TypeError.
      expect(result).toMatchObject({
        status: 'failed',
        error_code: 'UnsupportedRuntime',
        retryable: false,
      });
      expect(result.reason).toContain(`${item} missing`);
      expect(result.allocation).toEqual([]);
    } else if (hidden && commitReveal) {
      // This devnet still enforces the switch it no longer advertises: the chain refuses by name.
      expect(result).toMatchObject({
        mode: 'set_weights',
        status: 'failed',
        error_code: 'CommitRevealEnabled',
      });
    } else {
      expect(result.mode).toBe(choice.form);
      expect(['included', 'finalized']).toContain(result.status);
      expect(result.allocation.map((row) => row.uid)).toEqual([1, 2]);
    }
  });
});

it('every optional item is exercised above and keeps publishing', () => {
  const optional = ITEM_NAMES.filter((name) => RUNTIME_ITEMS[name].need === 'optional');
  expect(optional).toEqual(
    expect.arrayContaining([
      'Timestamp.Now',
      'Drand.BeaconConfig',
      'Aura.SlotDuration',
      'SubtensorModule.RevealPeriodEpochs',
    ]),
  );
});
