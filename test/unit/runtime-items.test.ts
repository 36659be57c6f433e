// The publisher's choice of form from what the runtime offers: a pure function of the missing items.
import { describe, expect, it } from 'vitest';
import {
  chooseForm,
  ITEM_NAMES,
  RUNTIME_ITEMS,
  type ItemName,
} from '../../functions/src/chain/runtime-items';

const without = (...names: ItemName[]) => new Set<ItemName>(names);

describe('chooseForm', () => {
  it.each([
    ['every item, commit-reveal off', without(), false, { form: 'set_weights' }],
    ['every item, commit-reveal on', without(), true, { form: 'timelocked_commit' }],
    [
      'no Drand pallet (spec 218 and older generations)',
      without('Drand.LastStoredRound', 'Drand.BeaconConfig'),
      true,
      { form: 'commit' },
    ],
    [
      'no CommitRevealWeightsVersion: the timelocked call cannot be versioned',
      without('SubtensorModule.CommitRevealWeightsVersion'),
      true,
      { form: 'commit' },
    ],
    [
      'no timelocked call',
      without('SubtensorModule.commit_timelocked_weights'),
      true,
      { form: 'commit' },
    ],
    [
      'no commit call of either scheme',
      without('SubtensorModule.commit_timelocked_weights', 'SubtensorModule.commit_weights'),
      true,
      {
        missing: ['SubtensorModule.commit_timelocked_weights', 'SubtensorModule.commit_weights'],
      },
    ],
    [
      'no Tempo: no epochs, so no commit of either scheme',
      without('SubtensorModule.Tempo'),
      true,
      { missing: ['SubtensorModule.Tempo'] },
    ],
    [
      'no Tempo, commit-reveal off: set_weights needs none',
      without('SubtensorModule.Tempo'),
      false,
      { form: 'set_weights' },
    ],
    [
      'no set_weights call',
      without('SubtensorModule.set_weights'),
      false,
      { missing: ['SubtensorModule.set_weights'] },
    ],
    [
      'no SubnetworkN: nothing can be published',
      without('SubtensorModule.SubnetworkN'),
      false,
      { missing: ['SubtensorModule.SubnetworkN'] },
    ],
    [
      'no Uids, commit-reveal on',
      without('SubtensorModule.Uids'),
      true,
      { missing: ['SubtensorModule.Uids'] },
    ],
  ] as const)('%s', (_, missing, commitReveal, expected) => {
    expect(chooseForm(missing, commitReveal)).toEqual(expected);
  });

  it('an optional item never stops a form', () => {
    const optional = ITEM_NAMES.filter((name) => RUNTIME_ITEMS[name].need === 'optional');
    expect(optional.length).toBeGreaterThan(5);
    for (const name of optional) {
      expect(chooseForm(without(name), false)).toEqual({ form: 'set_weights' });
      expect(chooseForm(without(name), true)).toEqual({ form: 'timelocked_commit' });
    }
  });

  it('every optional item says what the publisher does without it', () => {
    for (const name of ITEM_NAMES) expect(RUNTIME_ITEMS[name].without.length).toBeGreaterThan(5);
  });
});
