/**
 * Runtime profiles: which generation of the real subtensor runtime devnet's runtime mirrors, by its
 * metadata (pallets, calls, storage items and their defaults, errors, events, signed extensions)
 * and by the weight-setting behaviour that differs between generations. `current` is the default.
 */

import { CURRENT_SUBTENSOR_ERRORS } from './metadata/errors-current';
import { SPEC_218_SUBTENSOR_ERRORS } from './metadata/errors-spec218';

/** Every profile name, for `Devnet.start({ runtime })` and `--runtime`, and for `describe.each`. */
export const RUNTIME_PROFILES = ['current', 'hash-commit-reveal'] as const;

export type RuntimeProfileName = (typeof RUNTIME_PROFILES)[number];

export const DEFAULT_RUNTIME_PROFILE: RuntimeProfileName = 'current';

export interface RuntimeProfile {
  name: RuntimeProfileName;
  /** Runtime spec version reported and signed against. */
  specVersion: number;
  /** Which real runtime generation it mirrors (for messages and the README). */
  mirrors: string;
  /**
   * Timelocked commit-reveal: the `Drand` pallet, `TimelockedWeightCommits`,
   * `CommitRevealWeightsVersion` and `commit_timelocked_weights`.
   */
  timelocked: boolean;
  /**
   * Subnet mechanisms (`MechanismCountCurrent`, `MechanismEmissionSplit`, and set_, commit_,
   * reveal_ and commit_timelocked_mechanism_weights, each mechanism's weights, LastUpdate and
   * commits kept at netuid + mecid · 4096): set_weights and commit_weights name a missing
   * subnet `MechanismDoesNotExist`; without them set_weights names it `SubNetworkDoesNotExist` and
   * commit_weights only checks the commit-reveal switch (`CommitRevealDisabled`).
   */
  mechanisms: boolean;
  /**
   * Whether commit_weights and reveal_weights refuse a subnet that does not exist
   * (`SubNetworkDoesNotExist`) before the commit-reveal switch; the spec-218 runtime checks only
   * the switch (`CommitRevealDisabled`, its default being off).
   */
  commitChecksSubnet: boolean;
  /** `batch_reveal_weights` (call 98) and its event `WeightsBatchRevealed`. */
  batchReveal: boolean;
  /**
   * What registration does to `LastUpdate` of a uid it replaces (a full subnet). Both generations
   * set an appended uid's entry to the registration block (`append_neuron`); `replace_neuron` of
   * the current source sets the replaced uid's entry to it too ('registration-block'), while the
   * spec-218 generation's leaves it as the replaced neuron left it ('kept').
   */
  replacedLastUpdate: 'registration-block' | 'kept';
  /** The plain storage item holding the minimum stake to set weights. */
  stakeItem: 'StakeThreshold' | 'WeightsMinStake';
  /** Whether the subnet owner's hotkey may set weights with less stake than that minimum. */
  ownerExemptFromStake: boolean;
  /** Subtensor's signed extension(s), after ChargeTransactionPayment, as the metadata lists them. */
  extensions: 'transaction-extension' | 'signed-extension';
  /**
   * `1010 Custom error: n` of a weight call whose hotkey has too little stake, by call (camelCase);
   * calls not listed are not checked at submission.
   */
  stakeRejection: Readonly<Record<string, number>>;
  /** Storage defaults that differ between generations (what a subnet that was never set reads). */
  defaults: {
    tempo: number;
    minAllowedWeights: number;
    maxWeightsLimit: number;
    commitRevealWeightsEnabled: boolean;
  };
  /** What a subnet registered on this runtime starts with (devnet_createSubnet defaults). */
  newSubnet: { tempo: number; commitRevealWeightsEnabled: boolean };
  /** Real indices of SubtensorModule's errors and events; absent: devnet's own, in order. */
  errorIndices?: Readonly<Record<string, number>>;
  /**
   * The runtime's whole SubtensorModule Error enum, in index order (dense, as real runtimes'
   * are); absent: devnet's own errors, numbered in order.
   */
  errorNames?: readonly string[];
  eventIndices?: Readonly<Record<string, number>>;
}

const PROFILES: Record<RuntimeProfileName, RuntimeProfile> = {
  current: {
    name: 'current',
    specVersion: 425,
    mirrors: 'current finney and testnet runtimes (spec ~425, 2026): timelocked commit-reveal',
    timelocked: true,
    mechanisms: true,
    commitChecksSubnet: true,
    batchReveal: false,
    replacedLastUpdate: 'registration-block',
    stakeItem: 'StakeThreshold',
    ownerExemptFromStake: true,
    extensions: 'transaction-extension',
    stakeRejection: {
      setWeights: 1,
      commitWeights: 1,
      revealWeights: 1,
      commitTimelockedWeights: 1,
      setMechanismWeights: 1,
      commitMechanismWeights: 1,
      revealMechanismWeights: 1,
      commitTimelockedMechanismWeights: 1,
    },
    defaults: {
      tempo: 360,
      minAllowedWeights: 1,
      maxWeightsLimit: 65535,
      commitRevealWeightsEnabled: true,
    },
    newSubnet: { tempo: 360, commitRevealWeightsEnabled: true },
    errorNames: CURRENT_SUBTENSOR_ERRORS,
  },
  'hash-commit-reveal': {
    name: 'hash-commit-reveal',
    specVersion: 218,
    mirrors:
      'the spec-218 runtime (early 2025, test/fixtures/realchain): hash commit-reveal only, no drand',
    timelocked: false,
    mechanisms: false,
    commitChecksSubnet: false,
    batchReveal: true,
    replacedLastUpdate: 'kept',
    stakeItem: 'WeightsMinStake',
    ownerExemptFromStake: false,
    extensions: 'signed-extension',
    // SubtensorSignedExtension::validate of that generation: one code per call.
    stakeRejection: { commitWeights: 1, revealWeights: 2, setWeights: 3 },
    defaults: {
      tempo: 30,
      minAllowedWeights: 1024,
      maxWeightsLimit: 1000,
      commitRevealWeightsEnabled: false,
    },
    // init_new_network: DefaultTempo, commit-reveal left at its default (off).
    newSubnet: { tempo: 30, commitRevealWeightsEnabled: false },
    errorNames: SPEC_218_SUBTENSOR_ERRORS,
    errorIndices: {
      SubNetworkDoesNotExist: 0,
      HotKeyNotRegisteredInSubNet: 5,
      NotEnoughStakeToSetWeights: 13,
      NeuronNoValidatorPermit: 17,
      WeightVecNotEqualSize: 18,
      DuplicateUids: 19,
      UidVecContainInvalidOne: 20,
      WeightVecLengthIsLow: 21,
      MaxWeightExceeded: 28,
      SettingWeightsTooFast: 30,
      IncorrectWeightVersionKey: 31,
      UidsLengthExceedUidsInSubNet: 33,
      CanNotSetRootNetworkWeights: 50,
      NoWeightsCommitFound: 55,
      InvalidRevealCommitHashNotMatch: 56,
      CommitRevealEnabled: 57,
      CommitRevealDisabled: 58,
      MechanismDoesNotExist: 88,
      TooManyUnrevealedCommits: 92,
      ExpiredWeightCommit: 93,
      RevealTooEarly: 94,
      InputLengthsUnequal: 95,
      CommittingWeightsTooFast: 96,
    },
    eventIndices: {
      NetworkAdded: 0,
      WeightsSet: 4,
      NeuronRegistered: 5,
      WeightsCommitted: 80,
      WeightsRevealed: 81,
      WeightsBatchRevealed: 82,
    },
  },
};

/** The profile of that name (default `current`); an unknown name is an error listing the profiles. */
export function runtimeProfile(name: string = DEFAULT_RUNTIME_PROFILE): RuntimeProfile {
  if (!(RUNTIME_PROFILES as readonly string[]).includes(name)) {
    throw new Error(
      `unknown runtime profile "${name}": one of ${RUNTIME_PROFILES.map((p) => `"${p}"`).join(', ')}`,
    );
  }
  return PROFILES[name as RuntimeProfileName];
}
