/**
 * Runtime APIs a standard client calls (through state_call), answered from devnet's state as the
 * spec-218 runtime answers them: the same inputs, and the same SCALE output, subtensor's own APIs
 * wrapping the encoded value in `Vec<u8>` (empty for "none"). The struct layouts are that
 * runtime's (docs/client-conformance.md);
 * test/realchain/client-conformance.test.ts checks each answer against the real runtime's for the
 * same state. Their signatures are listed in metadata V15 (metadata/build.ts, runtimeApis).
 */
import type { Codec } from '@polkadot/types/types';

import {
  compactAddLength,
  compactStripLength,
  compactToU8a,
  hexToU8a,
  u8aConcat,
  u8aToHex,
} from '@polkadot/util';
import { blake2AsU8a, xxhashAsU8a } from '@polkadot/util-crypto';
import type { Hex } from './runtime';
import type { State } from './state';

const PALLET = 'subtensorModule';

/** SubnetHyperparams, field by field in encoding order, with the item each is read from. */
const HYPERPARAMS: ReadonlyArray<[field: string, type: string, item: string]> = [
  ['rho', 'Compact<u16>', 'rho'],
  ['kappa', 'Compact<u16>', 'kappa'],
  ['immunity_period', 'Compact<u16>', 'immunityPeriod'],
  ['min_allowed_weights', 'Compact<u16>', 'minAllowedWeights'],
  ['max_weights_limit', 'Compact<u16>', 'maxWeightsLimit'],
  ['tempo', 'Compact<u16>', 'tempo'],
  ['min_difficulty', 'Compact<u64>', 'minDifficulty'],
  ['max_difficulty', 'Compact<u64>', 'maxDifficulty'],
  ['weights_version', 'Compact<u64>', 'weightsVersionKey'],
  ['weights_rate_limit', 'Compact<u64>', 'weightsSetRateLimit'],
  ['adjustment_interval', 'Compact<u16>', 'adjustmentInterval'],
  ['activity_cutoff', 'Compact<u16>', 'activityCutoff'],
  ['registration_allowed', 'bool', 'networkRegistrationAllowed'],
  ['target_regs_per_interval', 'Compact<u16>', 'targetRegistrationsPerInterval'],
  ['min_burn', 'Compact<u64>', 'minBurn'],
  ['max_burn', 'Compact<u64>', 'maxBurn'],
  ['bonds_moving_avg', 'Compact<u64>', 'bondsMovingAverage'],
  ['max_regs_per_block', 'Compact<u16>', 'maxRegistrationsPerBlock'],
  ['serving_rate_limit', 'Compact<u64>', 'servingRateLimit'],
  ['max_validators', 'Compact<u16>', 'maxAllowedValidators'],
  ['adjustment_alpha', 'Compact<u64>', 'adjustmentAlpha'],
  ['difficulty', 'Compact<u64>', 'difficulty'],
  ['commit_reveal_weights_interval', 'Compact<u64>', 'revealPeriodEpochs'],
  ['commit_reveal_weights_enabled', 'bool', 'commitRevealWeightsEnabled'],
  // AlphaValues holds (low, high); the struct has high first.
  ['alpha_high', 'Compact<u16>', 'alphaValues.1'],
  ['alpha_low', 'Compact<u16>', 'alphaValues.0'],
  ['liquid_alpha_enabled', 'bool', 'liquidAlphaOn'],
];

/** The SubnetHyperparams struct as a @polkadot/types definition (for encoding and for tests). */
export const SUBNET_HYPERPARAMS_TYPE = JSON.stringify(
  Object.fromEntries(HYPERPARAMS.map(([field, type]) => [field, type])),
);

/** SubnetInfo (get_subnet_info): field, type, and the item it is read from ('' for computed). */
const SUBNET_INFO: ReadonlyArray<[field: string, type: string, item: string]> = [
  ['netuid', 'Compact<u16>', ''],
  ['rho', 'Compact<u16>', 'rho'],
  ['kappa', 'Compact<u16>', 'kappa'],
  ['difficulty', 'Compact<u64>', 'difficulty'],
  ['immunity_period', 'Compact<u16>', 'immunityPeriod'],
  ['max_allowed_validators', 'Compact<u16>', 'maxAllowedValidators'],
  ['min_allowed_weights', 'Compact<u16>', 'minAllowedWeights'],
  ['max_weights_limit', 'Compact<u16>', 'maxWeightsLimit'],
  ['scaling_law_power', 'Compact<u16>', 'scalingLawPower'],
  ['subnetwork_n', 'Compact<u16>', 'subnetworkN'],
  ['max_allowed_uids', 'Compact<u16>', 'maxAllowedUids'],
  ['blocks_since_last_step', 'Compact<u64>', 'blocksSinceLastStep'],
  ['tempo', 'Compact<u16>', 'tempo'],
  ['network_modality', 'Compact<u16>', 'networkModality'],
  // DEPRECATED in the runtime: always empty.
  ['network_connect', 'Vec<[u16;2]>', ''],
  ['emission_values', 'Compact<u64>', 'emissionValues'],
  ['burn', 'Compact<u64>', 'burn'],
  ['owner', 'AccountId32', 'subnetOwner'],
];

export const SUBNET_INFO_TYPE = JSON.stringify(
  Object.fromEntries(SUBNET_INFO.map(([field, type]) => [field, type])),
);

const AXON_INFO =
  '{"block":"u64","version":"u32","ip":"u128","port":"u16","ip_type":"u8","protocol":"u8","placeholder1":"u8","placeholder2":"u8"}';
const PROMETHEUS_INFO = '{"block":"u64","version":"u32","ip":"u128","port":"u16","ip_type":"u8"}';

/** NeuronInfoLite of the spec-218 runtime (docs/client-conformance.md). */
export const NEURON_INFO_LITE_TYPE = JSON.stringify({
  hotkey: 'AccountId32',
  coldkey: 'AccountId32',
  uid: 'Compact<u16>',
  netuid: 'Compact<u16>',
  active: 'bool',
  axon_info: AXON_INFO,
  prometheus_info: PROMETHEUS_INFO,
  stake: 'Vec<(AccountId32, Compact<u64>)>',
  rank: 'Compact<u16>',
  emission: 'Compact<u64>',
  incentive: 'Compact<u16>',
  consensus: 'Compact<u16>',
  trust: 'Compact<u16>',
  validator_trust: 'Compact<u16>',
  dividends: 'Compact<u16>',
  last_update: 'Compact<u64>',
  validator_permit: 'bool',
  pruning_score: 'Compact<u16>',
});

/** The runtime API's answer, or undefined when devnet does not serve `name`. */
export function callRuntimeApi(state: State, name: string, input: Uint8Array): Hex | undefined {
  const registry = state.runtime.registry;
  switch (name) {
    case 'AccountNonceApi_account_nonce': {
      const who = registry.createType('AccountId32', input.subarray(0, 32));
      const account = state.get('system', 'account', who) as unknown as { nonce: Codec };
      return registry.createType('u32', account.nonce).toHex();
    }
    case 'StakeInfoRuntimeApi_get_stake_info_for_coldkey': {
      // The input is a Vec<u8>; anything but 32 bytes is no coldkey (an empty list).
      const [, account] = compactStripLength(input);
      const infos = account.length === 32 ? stakeInfo(state, u8aToHex(account)) : [];
      const list = registry.createType(`Vec<${STAKE_INFO_TYPE}>`, infos).toU8a();
      return u8aToHex(compactAddLength(list));
    }
    case 'SubnetInfoRuntimeApi_get_subnet_info': {
      const netuid = registry.createType('u16', input.subarray(0, 2)).toNumber();
      return u8aToHex(compactAddLength(subnetInfo(state, netuid)));
    }
    case 'NeuronInfoRuntimeApi_get_neuron_lite': {
      const netuid = registry.createType('u16', input.subarray(0, 2)).toNumber();
      const uid = registry.createType('u16', input.subarray(2, 4)).toNumber();
      const neuron = subnetExists(state, netuid) ? neuronLite(state, netuid, uid) : undefined;
      return u8aToHex(compactAddLength(neuron ?? new Uint8Array()));
    }
    case 'NeuronInfoRuntimeApi_get_neurons_lite': {
      const netuid = registry.createType('u16', input.subarray(0, 2)).toNumber();
      const neurons: Uint8Array[] = [];
      if (subnetExists(state, netuid)) {
        const n = Number(state.value(PALLET, 'subnetworkN', netuid).toString());
        for (let uid = 0; uid < n; uid++) {
          const neuron = neuronLite(state, netuid, uid);
          if (!neuron) break; // as the runtime: no more neurons
          neurons.push(neuron);
        }
      }
      // Vec<NeuronInfoLite>, itself inside Vec<u8>.
      const list = u8aConcat(compactToU8a(neurons.length), ...neurons);
      return u8aToHex(compactAddLength(list));
    }
    case 'SubnetInfoRuntimeApi_get_subnet_hyperparams': {
      const netuid = registry.createType('u16', input.subarray(0, 2)).toNumber();
      // Vec<u8>: the compact length, then the encoded struct.
      return u8aToHex(compactAddLength(subnetHyperparams(state, netuid)));
    }
    default:
      return undefined;
  }
}

function subnetExists(state: State, netuid: number): boolean {
  return state.get(PALLET, 'networksAdded', netuid)?.toString() === 'true';
}

/** get_subnet_info: the encoded struct, or nothing for a subnet that does not exist. */
function subnetInfo(state: State, netuid: number): Uint8Array {
  if (!subnetExists(state, netuid)) return new Uint8Array();
  const value = Object.fromEntries(
    SUBNET_INFO.map(([field, , item]) => [
      field,
      field === 'netuid' ? netuid : item === '' ? [] : state.get(PALLET, item, netuid)?.toJSON(),
    ]),
  );
  return state.runtime.registry.createType(SUBNET_INFO_TYPE, value).toU8a();
}

/**
 * get_neuron_lite_subnet_exists: the neuron at `uid`, or undefined when no hotkey holds it. Its
 * per-uid values come from the subnet's vectors (0 or false past their end); its stake lists the
 * hotkey's entries of the Stake map (coldkey, amount), in key order, as that runtime does.
 */
function neuronLite(state: State, netuid: number, uid: number): Uint8Array | undefined {
  const registry = state.runtime.registry;
  const keyKey = state.runtime.storageKey(PALLET, 'keys', netuid, uid);
  if (state.raw(keyKey) === null) return undefined;
  const hotkey = state.value(PALLET, 'keys', netuid, uid).toString();
  const coldkey = state.value(PALLET, 'owner', hotkey).toString();
  const at = (item: string, fallback: unknown) =>
    ((state.get(PALLET, item, netuid)?.toJSON() as unknown[] | null) ?? [])[uid] ?? fallback;
  const axon = state.get(PALLET, 'axons', netuid, hotkey)?.toJSON() ?? {};
  const prometheus = state.get(PALLET, 'prometheus', netuid, hotkey)?.toJSON() ?? {};
  const stake = stakeOf(state, hotkey);
  return registry
    .createType(NEURON_INFO_LITE_TYPE, {
      hotkey,
      coldkey,
      uid,
      netuid,
      active: at('active', false),
      axon_info: axon,
      prometheus_info: prometheus,
      stake,
      rank: at('rank', 0),
      emission: at('emission', 0),
      incentive: at('incentive', 0),
      consensus: at('consensus', 0),
      trust: at('trust', 0),
      validator_trust: at('validatorTrust', 0),
      dividends: at('dividends', 0),
      last_update: at('lastUpdate', 0),
      validator_permit: at('validatorPermit', false),
      pruning_score: at('pruningScores', 0),
    })
    .toU8a();
}

/** StakeInfo of the spec-218 runtime (the rao layout; docs/client-conformance.md). */
export const STAKE_INFO_TYPE = JSON.stringify({
  hotkey: 'AccountId32',
  coldkey: 'AccountId32',
  netuid: 'Compact<u16>',
  stake: 'Compact<u64>',
  locked: 'Compact<u64>',
  emission: 'Compact<u64>',
  drain: 'Compact<u64>',
  is_registered: 'bool',
});

/**
 * get_stake_info_for_coldkey: for every subnet (NetworksAdded, in key order) and every hotkey the
 * coldkey stakes to (StakingHotkeys), the coldkey's alpha there, 0 included: its shares (Alpha)
 * valued at TotalHotkeyAlpha / TotalHotkeyShares in U64F64, truncated; emission is the hotkey's
 * HotkeyDividendsPerSubnet, locked and drain 0.
 */
function stakeInfo(state: State, coldkey: Hex) {
  const registry = state.runtime.registry;
  const netuidsPrefix = u8aToHex(
    u8aConcat(xxhashAsU8a('SubtensorModule', 128), xxhashAsU8a('NetworksAdded', 128)),
  );
  const netuids = state
    .keys(netuidsPrefix)
    .map((key) => registry.createType('u16', hexToU8a(key).slice(-2)).toNumber());
  const hotkeys =
    (state.value(PALLET, 'stakingHotkeys', coldkey).toJSON() as string[] | null) ?? [];
  const big = (item: string, ...keys: unknown[]) =>
    BigInt(state.value(PALLET, item, ...keys).toString());
  const account = registry.createType('AccountId32', hexToU8a(coldkey)).toString();
  const infos = [];
  for (const netuid of netuids) {
    for (const hotkey of hotkeys) {
      const denominator = big('totalHotkeyShares', hotkey, netuid);
      const perShare =
        denominator === 0n ? 0n : (big('totalHotkeyAlpha', hotkey, netuid) << 64n) / denominator;
      const alpha = (perShare * big('alpha', hotkey, coldkey, netuid)) >> 64n;
      infos.push({
        hotkey,
        coldkey: account,
        netuid,
        stake: alpha.toString(),
        locked: 0,
        emission: big('hotkeyDividendsPerSubnet', netuid, hotkey).toString(),
        drain: 0,
        is_registered: state.get(PALLET, 'uids', netuid, hotkey) !== undefined,
      });
    }
  }
  return infos;
}

/** Stake::iter_prefix(hotkey): (coldkey, stake) in key order; the coldkey is the key's tail. */
function stakeOf(state: State, hotkey: string): Array<[string, string]> {
  const registry = state.runtime.registry;
  const prefix = u8aToHex(
    u8aConcat(
      xxhashAsU8a('SubtensorModule', 128),
      xxhashAsU8a('Stake', 128),
      blake2AsU8a(registry.createType('AccountId32', hotkey).toU8a(), 128),
      registry.createType('AccountId32', hotkey).toU8a(),
    ),
  );
  return state.keys(prefix).map((key) => {
    const coldkey = registry.createType('AccountId32', hexToU8a(key).slice(-32)).toString();
    return [coldkey, registry.createType('u64', hexToU8a(state.raw(key) ?? '0x')).toString()];
  });
}

/** get_subnet_hyperparams: the encoded struct, or nothing for a subnet that does not exist. */
function subnetHyperparams(state: State, netuid: number): Uint8Array {
  if (!subnetExists(state, netuid)) return new Uint8Array();
  const value = Object.fromEntries(
    HYPERPARAMS.map(([field, , item]) => {
      const [name, index] = item.split('.');
      const codec = state.get(PALLET, name, netuid);
      const json = codec?.toJSON();
      return [field, index === undefined ? json : (json as unknown[])[Number(index)]];
    }),
  );
  return state.runtime.registry.createType(SUBNET_HYPERPARAMS_TYPE, value).toU8a();
}
