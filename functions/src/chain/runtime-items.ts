/**
 * Every runtime item the publisher touches (storage items, calls, constants), in one list, and the
 * only way to reach them: through this module, after the connected runtime's metadata said it has
 * them. Subtensor upgrades every few weeks and real runtimes differ from each other, so nothing is
 * assumed: a required item that is absent is a named refusal (`UnsupportedRuntime`), an optional
 * one falls back to the default written beside it.
 */
import type { ApiPromise } from '@polkadot/api';
import type {
  ApiDecoration,
  QueryableStorageEntry,
  SubmittableExtrinsicFunction,
} from '@polkadot/api/types';
import type { Codec } from '@polkadot/types/types';
import { stringCamelCase } from '@polkadot/util';
import { ChainFailure } from './errors';

/** The forms a publish takes on chain; a hash commit's reveal is sent with the commit's items. */
export type Form = 'set_weights' | 'commit' | 'timelocked_commit';

/** What an item is needed for: every publish, one form, both commit forms, or nothing (a fallback). */
export type Need = 'publish' | Form | 'commit_reveal' | 'optional';

interface ItemSpec {
  kind: 'storage' | 'call' | 'constant';
  need: Need;
  /** What the publisher does without it (optional items), or why it is needed. */
  without: string;
}

/** Seconds per block where the runtime does not say (no Aura.SlotDuration): subtensor's 12 s. */
export const DEFAULT_BLOCK_SECONDS = 12;

/** The list. A read of an item not named here does not type-check. */
export const RUNTIME_ITEMS = {
  'SubtensorModule.SubnetworkN': {
    kind: 'storage',
    need: 'publish',
    without: 'the neuron count sizes the weight vector',
  },
  'SubtensorModule.Uids': {
    kind: 'storage',
    need: 'publish',
    without: 'maps hotkeys to uids',
  },
  'SubtensorModule.Keys': {
    kind: 'storage',
    need: 'publish',
    without: "re-checks each uid's hotkey right before sending",
  },
  'SubtensorModule.MinAllowedWeights': {
    kind: 'storage',
    need: 'optional',
    without: '0: no minimum fill',
  },
  'SubtensorModule.MaxWeightsLimit': {
    kind: 'storage',
    need: 'optional',
    without: '65535: no cap on a single weight',
  },
  'SubtensorModule.WeightsVersionKey': {
    kind: 'storage',
    need: 'optional',
    without: '0: the configured version key is sent',
  },
  'SubtensorModule.WeightsSetRateLimit': {
    kind: 'storage',
    need: 'optional',
    without: 'no rate-limit check before sending: the chain decides',
  },
  'SubtensorModule.LastUpdate': {
    kind: 'storage',
    need: 'optional',
    without: 'no rate-limit check before sending: the chain decides',
  },
  'SubtensorModule.ValidatorPermit': {
    kind: 'storage',
    need: 'optional',
    without: 'no permit check before sending: the chain decides',
  },
  'SubtensorModule.ActivityCutoff': {
    kind: 'storage',
    need: 'optional',
    without: "health: subtensor's default cutoff, 5000 blocks (not used to publish)",
  },
  'SubtensorModule.TotalHotkeyAlpha': {
    kind: 'storage',
    need: 'optional',
    without: "health: the validator's stake is not checked (not used to publish)",
  },
  'SubtensorModule.StakeThreshold': {
    kind: 'storage',
    need: 'optional',
    without: 'health: WeightsMinStake (older runtimes), else no minimum stake to check',
  },
  'SubtensorModule.WeightsMinStake': {
    kind: 'storage',
    need: 'optional',
    without: 'health: StakeThreshold (current runtimes), else no minimum stake to check',
  },
  'SubtensorModule.CommitRevealWeightsEnabled': {
    kind: 'storage',
    need: 'optional',
    without: 'commit-reveal off: set_weights',
  },
  'SubtensorModule.Tempo': {
    kind: 'storage',
    need: 'commit_reveal',
    without: 'epochs, and so reveal windows, follow the tempo',
  },
  'SubtensorModule.RevealPeriodEpochs': {
    kind: 'storage',
    need: 'optional',
    without: '1: the reveal comes one epoch after the commit',
  },
  'SubtensorModule.CommitRevealWeightsVersion': {
    kind: 'storage',
    need: 'timelocked_commit',
    without: 'the timelocked call cannot be versioned: no timelocked commit',
  },
  'SubtensorModule.Weights': {
    kind: 'storage',
    need: 'timelocked_commit',
    without: 'the applied reveal of a timelocked commit is checked against it',
  },
  'SubtensorModule.WeightCommits': {
    kind: 'storage',
    need: 'commit',
    without: 'a hash commit whose send timed out is looked up here',
  },
  'SubtensorModule.TimelockedWeightCommits': {
    kind: 'storage',
    need: 'timelocked_commit',
    without: 'a timelocked commit whose send timed out is looked up here',
  },
  'SubtensorModule.set_weights': {
    kind: 'call',
    need: 'set_weights',
    without: 'sets the weights when commit-reveal is off',
  },
  'SubtensorModule.commit_weights': {
    kind: 'call',
    need: 'commit',
    without: 'commits a hash of the weights',
  },
  'SubtensorModule.reveal_weights': {
    kind: 'call',
    need: 'commit',
    without: 'reveals a hash commit',
  },
  'SubtensorModule.commit_timelocked_weights': {
    kind: 'call',
    need: 'timelocked_commit',
    without: 'commits weights encrypted to a drand round',
  },
  'SubtensorModule.MechanismCountCurrent': {
    kind: 'storage',
    need: 'optional',
    without: 'one mechanism: the subnet-level calls, as before mechanisms',
  },
  'SubtensorModule.MechanismEmissionSplit': {
    kind: 'storage',
    need: 'optional',
    without: 'an even emission split between mechanisms (reported only)',
  },
  'SubtensorModule.set_mechanism_weights': {
    kind: 'call',
    need: 'optional',
    without: 'no weights for a mechanism other than 0 while commit-reveal is off',
  },
  'SubtensorModule.commit_timelocked_mechanism_weights': {
    kind: 'call',
    need: 'optional',
    without: 'no timelocked commit for a mechanism other than 0',
  },
  'Drand.LastStoredRound': {
    kind: 'storage',
    need: 'timelocked_commit',
    without: 'no drand pallet: no timelocked commit',
  },
  'Drand.BeaconConfig': {
    kind: 'storage',
    need: 'optional',
    without: "drand quicknet's public key",
  },
  'System.Account': {
    kind: 'storage',
    need: 'optional',
    without: 'a sent extrinsic not found on chain is taken as pending until its era ends',
  },
  'System.Events': {
    kind: 'storage',
    need: 'optional',
    without: 'an extrinsic found late in a block is taken as succeeded',
  },
  'Timestamp.Now': {
    kind: 'storage',
    need: 'optional',
    without: 'the local clock',
  },
  'Aura.SlotDuration': {
    kind: 'constant',
    need: 'optional',
    without: '12 s blocks',
  },
} as const satisfies Record<string, ItemSpec>;

export type ItemName = keyof typeof RUNTIME_ITEMS;
type ItemOf<K extends ItemSpec['kind']> = {
  [N in ItemName]: (typeof RUNTIME_ITEMS)[N]['kind'] extends K ? N : never;
}[ItemName];
export type StorageName = ItemOf<'storage'>;
export type CallName = ItemOf<'call'>;
export type ConstantName = ItemOf<'constant'>;

export const ITEM_NAMES = Object.keys(RUNTIME_ITEMS) as ItemName[];

function split(name: ItemName): [string, string] {
  const dot = name.indexOf('.');
  return [stringCamelCase(name.slice(0, dot)), stringCamelCase(name.slice(dot + 1))];
}

/** An api, or its view at one block (`api.at`): storage is read from either, calls from the api. */
type Decorated = Pick<ApiDecoration<'promise'>, 'query' | 'consts'> | ApiPromise;

/** The metadata's answer for one item: the decorated entry, or undefined when the runtime lacks it. */
function lookup(api: Decorated, name: ItemName): unknown {
  const [section, method] = split(name);
  const kind = RUNTIME_ITEMS[name].kind;
  const root: unknown =
    kind === 'storage' ? api.query : kind === 'call' ? (api as Partial<ApiPromise>).tx : api.consts;
  const pallet = (root as Record<string, Record<string, unknown> | undefined> | undefined)?.[
    section
  ];
  return pallet?.[method];
}

/** What the connected runtime offers of the list, read from its metadata once per connection. */
export class RuntimeItems {
  readonly missing: ReadonlySet<ItemName>;

  constructor(private readonly api: ApiPromise) {
    this.missing = new Set(ITEM_NAMES.filter((name) => lookup(api, name) === undefined));
  }

  has(name: ItemName): boolean {
    return !this.missing.has(name);
  }

  /** The form this runtime publishes in, given the subnet's commit-reveal switch. */
  form(commitRevealEnabled: boolean): FormChoice {
    return chooseForm(this.missing, commitRevealEnabled);
  }

  /** The storage entry, at a block or at the best block; throws UnsupportedRuntime when absent. */
  storage(name: StorageName, at: Decorated = this.api): QueryableStorageEntry<'promise'> {
    return this.require(name, at) as QueryableStorageEntry<'promise'>;
  }

  /** The storage entry, or undefined when the runtime lacks it (optional items only). */
  optionalStorage(name: StorageName, at: Decorated = this.api) {
    return this.has(name) ? this.storage(name, at) : undefined;
  }

  call(name: CallName): SubmittableExtrinsicFunction<'promise'> {
    return this.require(name, this.api) as SubmittableExtrinsicFunction<'promise'>;
  }

  constant(name: ConstantName): Codec | undefined {
    return this.has(name) ? (lookup(this.api, name) as Codec) : undefined;
  }

  /** Seconds per block: Aura.SlotDuration, or DEFAULT_BLOCK_SECONDS where the runtime has none. */
  blockSeconds(): number {
    const slot = Number(this.constant('Aura.SlotDuration')?.toString() ?? 0);
    return slot > 0 ? slot / 1000 : DEFAULT_BLOCK_SECONDS;
  }

  private require(name: ItemName, at: Decorated): unknown {
    const entry = this.has(name) ? lookup(at, name) : undefined;
    if (entry === undefined) throw unsupported(name);
    return entry;
  }
}

/** The first missing item a form needs (the `publish` ones included), if any. */
export function missingFor(missing: ReadonlySet<ItemName>, form: Form): ItemName | undefined {
  const needs = (need: Need) =>
    need === 'publish' || need === form || (need === 'commit_reveal' && form !== 'set_weights');
  return ITEM_NAMES.find((name) => missing.has(name) && needs(RUNTIME_ITEMS[name].need));
}

export type FormChoice = { form: Form } | { missing: ItemName[] };

/**
 * set_weights while commit-reveal is off; with it on, a timelocked commit where the runtime can
 * (current generations), else a hash commit (older ones). Otherwise the missing items, by name.
 */
export function chooseForm(
  missing: ReadonlySet<ItemName>,
  commitRevealEnabled: boolean,
): FormChoice {
  const candidates: Form[] = commitRevealEnabled
    ? ['timelocked_commit', 'commit']
    : ['set_weights'];
  const lacking = candidates.map((form) => missingFor(missing, form));
  const index = lacking.findIndex((name) => name === undefined);
  if (index >= 0) return { form: candidates[index] };
  return { missing: [...new Set(lacking as ItemName[])] };
}

/** The named refusal for a runtime without an item the publisher needs. */
export function unsupported(name: ItemName): ChainFailure {
  return new ChainFailure('unsupported', 'UnsupportedRuntime', `${name} missing`);
}
