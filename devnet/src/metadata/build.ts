/**
 * Runtime metadata (V14) of the devnet: the pallets, calls, storage items, events and errors of
 * the subtensor weight-setting subset, with the real pallet and call indices, argument types and
 * storage hashers (see docs/chain-facts.md), so that @polkadot/api builds the same call data and
 * storage keys against devnet as against a real subtensor node with the same layout. What is in it
 * follows the runtime profile (profiles.ts); `omit` leaves chosen items out of it.
 */
import { TypeRegistry } from '@polkadot/types';
import { hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { runtimeProfile, type RuntimeProfile } from '../profiles';
import { TypeBuilder, type VariantSpec } from './type-builder';

export const PALLETS = {
  System: 0,
  Timestamp: 2,
  Aura: 3,
  Balances: 5,
  SubtensorModule: 7,
  Drand: 26,
} as const;

/** Every weight call devnet knows, with its real index; which ones a runtime has: subtensorCalls. */
export const SUBTENSOR_CALLS = {
  set_weights: 0,
  commit_weights: 96,
  reveal_weights: 97,
  batch_reveal_weights: 98,
  commit_timelocked_weights: 113,
  commit_mechanism_weights: 115,
  reveal_mechanism_weights: 116,
  commit_timelocked_mechanism_weights: 118,
  set_mechanism_weights: 119,
} as const;

export type SubtensorCall = keyof typeof SUBTENSOR_CALLS;

/** The weight calls of a profile's runtime, with their indices. */
export function subtensorCalls(profile: RuntimeProfile): Partial<Record<SubtensorCall, number>> {
  const calls: Partial<Record<SubtensorCall, number>> = {
    set_weights: SUBTENSOR_CALLS.set_weights,
    commit_weights: SUBTENSOR_CALLS.commit_weights,
    reveal_weights: SUBTENSOR_CALLS.reveal_weights,
  };
  if (profile.batchReveal) calls.batch_reveal_weights = SUBTENSOR_CALLS.batch_reveal_weights;
  if (profile.timelocked)
    calls.commit_timelocked_weights = SUBTENSOR_CALLS.commit_timelocked_weights;
  if (profile.mechanisms) {
    calls.commit_mechanism_weights = SUBTENSOR_CALLS.commit_mechanism_weights;
    calls.reveal_mechanism_weights = SUBTENSOR_CALLS.reveal_mechanism_weights;
    calls.set_mechanism_weights = SUBTENSOR_CALLS.set_mechanism_weights;
    if (profile.timelocked)
      calls.commit_timelocked_mechanism_weights =
        SUBTENSOR_CALLS.commit_timelocked_mechanism_weights;
  }
  return calls;
}

/** Module errors of SubtensorModule, in the order their indices are assigned. */
export const SUBTENSOR_ERRORS: ReadonlyArray<[string, string]> = [
  ['SubNetworkDoesNotExist', 'The subnet does not exist.'],
  ['CanNotSetRootNetworkWeights', 'Weights cannot be set on the root network (netuid 0) this way.'],
  ['WeightVecNotEqualSize', 'The uids and weights vectors differ in length.'],
  ['MechanismDoesNotExist', 'The mechanism (or its subnet) does not exist.'],
  ['UidsLengthExceedUidsInSubNet', 'More uids than neurons on the subnet.'],
  ['HotKeyNotRegisteredInSubNet', 'The hotkey is not registered on the subnet.'],
  ['NotEnoughStakeToSetWeights', 'The hotkey has less stake than StakeThreshold.'],
  ['IncorrectWeightVersionKey', 'The version key is below the subnet WeightsVersionKey.'],
  ['SettingWeightsTooFast', 'Fewer than WeightsSetRateLimit blocks since LastUpdate.'],
  ['NeuronNoValidatorPermit', 'The neuron has no validator permit.'],
  ['DuplicateUids', 'A uid appears twice.'],
  ['UidVecContainInvalidOne', 'A uid is not a neuron of the subnet.'],
  ['WeightVecLengthIsLow', 'Fewer weights than MinAllowedWeights.'],
  ['MaxWeightExceeded', 'A normalised weight exceeds MaxWeightsLimit.'],
  ['CommitRevealEnabled', 'Commit-reveal is enabled: set_weights is refused, commit instead.'],
  ['CommitRevealDisabled', 'Commit-reveal is disabled: commits are refused.'],
  ['TooManyUnrevealedCommits', 'The hotkey has too many commits waiting for their reveal.'],
  ['NoWeightsCommitFound', 'No commit matches this reveal.'],
  ['InvalidRevealCommitHashNotMatch', 'The revealed data does not hash to a commit.'],
  ['RevealTooEarly', 'The reveal epoch of the commit has not started.'],
  ['ExpiredWeightCommit', 'The reveal epoch of the commit has passed.'],
  ['InvalidRevealRound', 'The reveal round is before the last stored drand round.'],
  [
    'IncorrectCommitRevealVersion',
    'The commit-reveal version differs from CommitRevealWeightsVersion.',
  ],
  ['CommittingWeightsTooFast', 'Fewer than WeightsSetRateLimit blocks since the last commit.'],
  ['InputLengthsUnequal', 'The lists of a batch reveal differ in length.'],
];

/** Errors only some generations have. */
const TIMELOCKED_ERRORS = new Set(['InvalidRevealRound', 'IncorrectCommitRevealVersion']);
const BATCH_ERRORS = new Set(['InputLengthsUnequal']);

/** Events of SubtensorModule (tuple-style, as the real pallet declares them). */
const SUBTENSOR_EVENTS = [
  'NetworkAdded',
  'NeuronRegistered',
  'WeightsSet',
  'WeightsCommitted',
  'WeightsRevealed',
  'WeightsBatchRevealed',
  'TimelockedWeightsCommitted',
  'TimelockedWeightsRevealed',
] as const;
type SubtensorEvent = (typeof SUBTENSOR_EVENTS)[number];

export const BLOCK_HASH_COUNT = 4096;
export const SS58_PREFIX = 42;

type Hasher = 'Blake2_128Concat' | 'Twox64Concat' | 'Identity';

interface StorageSpec {
  name: string;
  /** Plain item when absent. */
  keys?: Array<[Hasher, number]>;
  value: number;
  /** SCALE bytes of the default; absent means an Optional item (None when unset). */
  fallback?: Uint8Array;
  docs?: string;
}

/** What a metadata holds, by pallet: storage item and constant names (PascalCase), calls (snake_case). */
export type Inventory = Record<string, { storage: string[]; calls: string[]; constants: string[] }>;

export interface RuntimeMetadata {
  /** SCALE-encoded `MetadataVersioned` (magic number + V14), as state_getMetadata returns it. */
  hex: `0x${string}`;
  /** The same metadata as V15 (magic number + V15): with the runtime APIs and outer enums. */
  hexV15: `0x${string}`;
  /** The names in it (what `omit` may name). */
  inventory: Inventory;
}

export interface MetadataOptions {
  /** The runtime generation to mirror (default: the `current` profile). */
  profile?: RuntimeProfile;
  /**
   * Items left out of the metadata: `Pallet` (the whole pallet), `Pallet.StorageItem` or
   * `Pallet.Constant` (PascalCase), `Pallet.call_name` (snake_case). An entry that names nothing
   * in the profile's metadata is an error.
   */
  omit?: readonly string[];
  /** Block time, in ms: Aura.SlotDuration, and twice Timestamp.MinimumPeriod (default 12 000). */
  blockTimeMs?: number;
}

export function buildMetadata(options: MetadataOptions = {}): RuntimeMetadata {
  const profile = options.profile ?? runtimeProfile();
  const blockTimeMs = options.blockTimeMs ?? 12_000;
  const omit = options.omit ?? [];
  if (omit.length > 0) checkOmit(omit, build(profile, new Set(), blockTimeMs).inventory, profile);
  return build(profile, new Set(omit), blockTimeMs);
}

/** Throws on an omit entry that names no pallet, storage item, call or constant of the metadata. */
function checkOmit(omit: readonly string[], inventory: Inventory, profile: RuntimeProfile): void {
  for (const entry of omit) {
    const dot = entry.indexOf('.');
    const palletName = dot < 0 ? entry : entry.slice(0, dot);
    const pallet = inventory[palletName];
    const where = `the "${profile.name}" runtime profile`;
    if (!pallet) {
      throw new Error(
        `omit: no pallet "${palletName}" in ${where} (entry "${entry}"); its pallets: ${Object.keys(inventory).join(', ')}`,
      );
    }
    if (dot < 0) continue;
    const item = entry.slice(dot + 1);
    if (![...pallet.storage, ...pallet.calls, ...pallet.constants].includes(item)) {
      const list = (label: string, names: string[]) =>
        names.length ? `${label} ${names.join(', ')}` : `no ${label}`;
      throw new Error(
        `omit: ${palletName} has no storage item, call or constant "${item}" in ${where} ` +
          `(storage items are PascalCase, calls snake_case); it has ` +
          `${list('storage', pallet.storage)}; ${list('calls', pallet.calls)}; ${list('constants', pallet.constants)}`,
      );
    }
  }
}

function build(profile: RuntimeProfile, omit: ReadonlySet<string>, blockTimeMs: number) {
  /** Whether a pallet, or one of its items, is in the metadata. */
  const keep = (pallet: string, item?: string) =>
    !omit.has(pallet) && (item === undefined || !omit.has(`${pallet}.${item}`));
  const inventory: Inventory = {};
  const t = new TypeBuilder();
  const scratch = new TypeRegistry();
  const encode = (type: string, value: unknown) => scratch.createType(type, value).toU8a();

  const bytes = t.sequence(t.u8);
  const accountId = t.composite(
    ['sp_core', 'crypto', 'AccountId32'],
    [{ type: t.array(32, t.u8), typeName: '[u8; 32]' }],
  );
  const h256 = t.composite(
    ['primitive_types', 'H256'],
    [{ type: t.array(32, t.u8), typeName: '[u8; 32]' }],
  );
  const vecU16 = t.sequence(t.u16);
  const weight = t.composite(
    ['sp_weights', 'weight_v2', 'Weight'],
    [
      { name: 'ref_time', type: t.compact(t.u64), typeName: 'u64' },
      { name: 'proof_size', type: t.compact(t.u64), typeName: 'u64' },
    ],
  );
  const unitVariants = (names: readonly string[]): VariantSpec[] =>
    names.map((name, index) => ({ name, index }));

  // --- Extrinsic ---------------------------------------------------------------------------
  const multiAddress = t.variant(
    ['sp_runtime', 'multiaddress', 'MultiAddress'],
    [
      { name: 'Id', index: 0, fields: [{ type: accountId, typeName: 'AccountId' }] },
      {
        name: 'Index',
        index: 1,
        fields: [{ type: t.compact(t.tuple()), typeName: 'AccountIndex' }],
      },
      { name: 'Raw', index: 2, fields: [{ type: bytes, typeName: 'Vec<u8>' }] },
      { name: 'Address32', index: 3, fields: [{ type: t.array(32, t.u8), typeName: '[u8; 32]' }] },
      { name: 'Address20', index: 4, fields: [{ type: t.array(20, t.u8), typeName: '[u8; 20]' }] },
    ],
    [
      { name: 'AccountId', type: accountId },
      { name: 'AccountIndex', type: t.tuple() },
    ],
  );
  const multiSignature = t.variant(
    ['sp_runtime', 'MultiSignature'],
    [
      { name: 'Ed25519', index: 0, fields: [{ type: t.array(64, t.u8), typeName: '[u8; 64]' }] },
      { name: 'Sr25519', index: 1, fields: [{ type: t.array(64, t.u8), typeName: '[u8; 64]' }] },
      { name: 'Ecdsa', index: 2, fields: [{ type: t.array(65, t.u8), typeName: '[u8; 65]' }] },
    ],
  );

  // --- Calls -------------------------------------------------------------------------------
  const systemCallType = t.variant(
    ['frame_system', 'pallet', 'Call'],
    [{ name: 'remark', index: 0, fields: [{ name: 'remark', type: bytes, typeName: 'Vec<u8>' }] }],
  );
  const u16Field = (name: string) => ({ name, type: t.u16, typeName: 'u16' });
  const u64Field = (name: string) => ({ name, type: t.u64, typeName: 'u64' });
  const vecField = (name: string) => ({ name, type: vecU16, typeName: 'Vec<u16>' });
  // subtensor_runtime_common::MechId(u8): a newtype, encoded as its u8.
  const mecidField = { name: 'mecid', type: t.u8, typeName: 'MechId' };
  const timelockedCommitField = () => ({
    name: 'commit',
    type: t.composite(
      ['bounded_collections', 'bounded_vec', 'BoundedVec'],
      [{ type: bytes, typeName: 'Vec<T>' }],
      [
        { name: 'T', type: t.u8 },
        { name: 'S', type: null },
      ],
    ),
    typeName: 'BoundedVec<u8, ConstU32<MAX_CRV3_COMMIT_SIZE_BYTES>>',
  });
  const callSpecs: Record<SubtensorCall, () => VariantSpec['fields']> = {
    set_mechanism_weights: () => [
      u16Field('netuid'),
      mecidField,
      vecField('dests'),
      vecField('weights'),
      u64Field('version_key'),
    ],
    commit_mechanism_weights: () => [
      u16Field('netuid'),
      mecidField,
      { name: 'commit_hash', type: h256, typeName: 'H256' },
    ],
    reveal_mechanism_weights: () => [
      u16Field('netuid'),
      mecidField,
      vecField('uids'),
      vecField('values'),
      vecField('salt'),
      u64Field('version_key'),
    ],
    commit_timelocked_mechanism_weights: () => [
      u16Field('netuid'),
      mecidField,
      timelockedCommitField(),
      u64Field('reveal_round'),
      u16Field('commit_reveal_version'),
    ],
    set_weights: () => [
      u16Field('netuid'),
      vecField('dests'),
      vecField('weights'),
      u64Field('version_key'),
    ],
    commit_weights: () => [
      u16Field('netuid'),
      { name: 'commit_hash', type: h256, typeName: 'H256' },
    ],
    reveal_weights: () => [
      u16Field('netuid'),
      vecField('uids'),
      vecField('values'),
      vecField('salt'),
      u64Field('version_key'),
    ],
    batch_reveal_weights: () => [
      u16Field('netuid'),
      { name: 'uids_list', type: t.sequence(vecU16), typeName: 'Vec<Vec<u16>>' },
      { name: 'values_list', type: t.sequence(vecU16), typeName: 'Vec<Vec<u16>>' },
      { name: 'salts_list', type: t.sequence(vecU16), typeName: 'Vec<Vec<u16>>' },
      { name: 'version_keys', type: t.sequence(t.u64), typeName: 'Vec<u64>' },
    ],
    commit_timelocked_weights: () => [
      u16Field('netuid'),
      {
        name: 'commit',
        type: t.composite(
          ['bounded_collections', 'bounded_vec', 'BoundedVec'],
          [{ type: bytes, typeName: 'Vec<T>' }],
          [
            { name: 'T', type: t.u8 },
            { name: 'S', type: null },
          ],
        ),
        typeName: 'BoundedVec<u8, ConstU32<MAX_CRV3_COMMIT_SIZE_BYTES>>',
      },
      u64Field('reveal_round'),
      u16Field('commit_reveal_version'),
    ],
  };
  const subtensorCallVariants = Object.entries(subtensorCalls(profile))
    .filter(([name]) => keep('SubtensorModule', name))
    .map(([name, index]) => ({ name, index, fields: callSpecs[name as SubtensorCall]() }));
  const subtensorCall = subtensorCallVariants.length
    ? t.variant(['pallet_subtensor', 'pallet', 'Call'], subtensorCallVariants)
    : undefined;
  const systemCall = keep('System', 'remark') ? systemCallType : undefined;
  const runtimeCall = t.variant(
    ['node_subtensor_runtime', 'RuntimeCall'],
    [
      ...(systemCall !== undefined && keep('System')
        ? [{ name: 'System', index: PALLETS.System, fields: [{ type: systemCall }] }]
        : []),
      ...(subtensorCall !== undefined && keep('SubtensorModule')
        ? [
            {
              name: 'SubtensorModule',
              index: PALLETS.SubtensorModule,
              fields: [{ type: subtensorCall }],
            },
          ]
        : []),
    ],
  );

  // --- Events and errors --------------------------------------------------------------------
  const moduleError = t.composite(
    ['sp_runtime', 'ModuleError'],
    [
      { name: 'index', type: t.u8, typeName: 'u8' },
      { name: 'error', type: t.array(4, t.u8), typeName: '[u8; MAX_MODULE_ERROR_ENCODED_SIZE]' },
    ],
  );
  const dispatchError = t.variant(
    ['sp_runtime', 'DispatchError'],
    [
      { name: 'Other', index: 0 },
      { name: 'CannotLookup', index: 1 },
      { name: 'BadOrigin', index: 2 },
      { name: 'Module', index: 3, fields: [{ type: moduleError, typeName: 'ModuleError' }] },
      { name: 'ConsumerRemaining', index: 4 },
      { name: 'NoProviders', index: 5 },
      { name: 'TooManyConsumers', index: 6 },
      {
        name: 'Token',
        index: 7,
        fields: [
          {
            type: t.variant(
              ['sp_runtime', 'TokenError'],
              unitVariants([
                'FundsUnavailable',
                'OnlyProvider',
                'BelowMinimum',
                'CannotCreate',
                'UnknownAsset',
                'Frozen',
                'Unsupported',
                'CannotCreateHold',
                'NotExpendable',
                'Blocked',
              ]),
            ),
          },
        ],
      },
      {
        name: 'Arithmetic',
        index: 8,
        fields: [
          {
            type: t.variant(
              ['sp_arithmetic', 'ArithmeticError'],
              unitVariants(['Underflow', 'Overflow', 'DivisionByZero']),
            ),
          },
        ],
      },
      {
        name: 'Transactional',
        index: 9,
        fields: [
          {
            type: t.variant(
              ['sp_runtime', 'TransactionalError'],
              unitVariants(['LimitReached', 'NoLayer']),
            ),
          },
        ],
      },
      { name: 'Exhausted', index: 10 },
      { name: 'Corruption', index: 11 },
      { name: 'Unavailable', index: 12 },
      { name: 'RootNotAllowed', index: 13 },
    ],
  );
  const dispatchInfo = t.composite(
    ['frame_support', 'dispatch', 'DispatchInfo'],
    [
      { name: 'weight', type: weight, typeName: 'Weight' },
      {
        name: 'class',
        type: t.variant(
          ['frame_support', 'dispatch', 'DispatchClass'],
          unitVariants(['Normal', 'Operational', 'Mandatory']),
        ),
        typeName: 'DispatchClass',
      },
      {
        name: 'pays_fee',
        type: t.variant(['frame_support', 'dispatch', 'Pays'], unitVariants(['Yes', 'No'])),
        typeName: 'Pays',
      },
    ],
  );
  const systemEvent = t.variant(
    ['frame_system', 'pallet', 'Event'],
    [
      {
        name: 'ExtrinsicSuccess',
        index: 0,
        fields: [{ name: 'dispatch_info', type: dispatchInfo, typeName: 'DispatchInfo' }],
      },
      {
        name: 'ExtrinsicFailed',
        index: 1,
        fields: [
          { name: 'dispatch_error', type: dispatchError, typeName: 'DispatchError' },
          { name: 'dispatch_info', type: dispatchInfo, typeName: 'DispatchInfo' },
        ],
      },
      { name: 'CodeUpdated', index: 2 },
      {
        name: 'NewAccount',
        index: 3,
        fields: [{ name: 'account', type: accountId, typeName: 'T::AccountId' }],
      },
      {
        name: 'KilledAccount',
        index: 4,
        fields: [{ name: 'account', type: accountId, typeName: 'T::AccountId' }],
      },
      {
        name: 'Remarked',
        index: 5,
        fields: [
          { name: 'sender', type: accountId, typeName: 'T::AccountId' },
          { name: 'hash', type: h256, typeName: 'T::Hash' },
        ],
      },
    ],
  );
  const eventFields: Record<SubtensorEvent, () => number[]> = {
    NetworkAdded: () => [t.u16, t.u16],
    NeuronRegistered: () => [t.u16, t.u16, accountId],
    WeightsSet: () => [t.u16, t.u16],
    WeightsCommitted: () => [accountId, t.u16, h256],
    WeightsRevealed: () => [accountId, t.u16, h256],
    WeightsBatchRevealed: () => [accountId, t.u16, t.sequence(h256)],
    TimelockedWeightsCommitted: () => [accountId, t.u16, h256, t.u64],
    TimelockedWeightsRevealed: () => [t.u16, accountId],
  };
  const profileEvents = SUBTENSOR_EVENTS.filter(
    (name) =>
      (profile.batchReveal || name !== 'WeightsBatchRevealed') &&
      (profile.timelocked || !name.startsWith('Timelocked')),
  );
  const subtensorEvent = t.variant(
    ['pallet_subtensor', 'pallet', 'Event'],
    profileEvents.map((name, index) => ({
      name,
      index: realIndex(profile.eventIndices, name, index),
      fields: eventFields[name]().map((type) => ({ type })),
    })),
  );
  const runtimeEvent = t.variant(
    ['node_subtensor_runtime', 'RuntimeEvent'],
    [
      { name: 'System', index: PALLETS.System, fields: [{ type: systemEvent }] },
      {
        name: 'SubtensorModule',
        index: PALLETS.SubtensorModule,
        fields: [{ type: subtensorEvent }],
      },
    ].filter(({ name }) => keep(name)),
  );
  const phase = t.variant(
    ['frame_system', 'Phase'],
    [
      { name: 'ApplyExtrinsic', index: 0, fields: [{ type: t.u32, typeName: 'u32' }] },
      { name: 'Finalization', index: 1 },
      { name: 'Initialization', index: 2 },
    ],
  );
  const eventRecord = t.composite(
    ['frame_system', 'EventRecord'],
    [
      { name: 'phase', type: phase, typeName: 'Phase' },
      { name: 'event', type: runtimeEvent, typeName: 'E' },
      { name: 'topics', type: t.sequence(h256), typeName: 'Vec<T>' },
    ],
    [
      { name: 'E', type: runtimeEvent },
      { name: 'T', type: h256 },
    ],
  );
  const systemError = t.variant(
    ['frame_system', 'pallet', 'Error'],
    unitVariants([
      'InvalidSpecName',
      'SpecVersionNeedsToIncrease',
      'FailedToExtractRuntimeVersion',
      'NonDefaultComposite',
      'NonZeroRefCount',
      'CallFiltered',
    ]),
  );
  const errorDocs = new Map(SUBTENSOR_ERRORS);
  const subtensorError = t.variant(
    ['pallet_subtensor', 'pallet', 'Error'],
    // The whole enum where the profile knows it (dense, real indices), else devnet's own errors.
    profile.errorNames?.map((name, index) => ({
      name,
      index,
      docs: errorDocs.has(name) ? [errorDocs.get(name) ?? ''] : [],
    })) ??
      SUBTENSOR_ERRORS.filter(
        ([name]) =>
          (profile.timelocked || !TIMELOCKED_ERRORS.has(name)) &&
          (profile.batchReveal || !BATCH_ERRORS.has(name)) &&
          (!profile.errorIndices || name in profile.errorIndices),
      ).map(([name, doc], index) => ({
        name,
        index: realIndex(profile.errorIndices, name, index),
        docs: [doc],
      })),
  );

  // --- Storage -------------------------------------------------------------------------------
  const accountData = t.composite(
    ['pallet_balances', 'types', 'AccountData'],
    [
      { name: 'free', type: t.u64, typeName: 'Balance' },
      { name: 'reserved', type: t.u64, typeName: 'Balance' },
      { name: 'frozen', type: t.u64, typeName: 'Balance' },
      {
        name: 'flags',
        type: t.composite(
          ['pallet_balances', 'types', 'ExtraFlags'],
          [{ type: t.u128, typeName: 'u128' }],
        ),
        typeName: 'ExtraFlags',
      },
    ],
  );
  const accountInfo = t.composite(
    ['frame_system', 'AccountInfo'],
    [
      { name: 'nonce', type: t.u32, typeName: 'Nonce' },
      { name: 'consumers', type: t.u32, typeName: 'RefCount' },
      { name: 'providers', type: t.u32, typeName: 'RefCount' },
      { name: 'sufficients', type: t.u32, typeName: 'RefCount' },
      { name: 'data', type: accountData, typeName: 'AccountData' },
    ],
    [
      { name: 'Nonce', type: t.u32 },
      { name: 'AccountData', type: accountData },
    ],
  );
  const vecDeque = (of: number) => t.sequence(of);
  const pulse = () =>
    t.composite(
      ['pallet_drand', 'types', 'Pulse'],
      [
        { name: 'round', type: t.u64, typeName: 'RoundNumber' },
        { name: 'randomness', type: bytes, typeName: 'BoundedVec<u8, ConstU32<32>>' },
        { name: 'signature', type: bytes, typeName: 'BoundedVec<u8, ConstU32<144>>' },
      ],
    );
  const beaconConfig = () =>
    t.composite(
      ['pallet_drand', 'types', 'BeaconConfiguration'],
      [
        { name: 'public_key', type: bytes, typeName: 'OpaquePublicKey' },
        { name: 'period', type: t.u32, typeName: 'u32' },
        { name: 'genesis_time', type: t.u32, typeName: 'u32' },
        { name: 'hash', type: bytes, typeName: 'BoundedHash' },
        { name: 'group_hash', type: bytes, typeName: 'BoundedHash' },
        { name: 'scheme_id', type: bytes, typeName: 'BoundedVec<u8, ConstU32<32>>' },
        {
          name: 'metadata',
          type: t.composite(
            ['pallet_drand', 'types', 'Metadata'],
            [{ name: 'beacon_id', type: bytes, typeName: 'BoundedVec<u8, ConstU32<32>>' }],
          ),
          typeName: 'Metadata',
        },
      ],
    );

  const u16Key: [Hasher, number] = ['Identity', t.u16];
  const clientValue = (value: ClientValue): number => {
    switch (value) {
      case 'u16':
        return t.u16;
      case 'u64':
        return t.u64;
      case 'bool':
        return t.bool;
      case '(u16,u16)':
        return t.tuple(t.u16, t.u16);
      case 'Vec<(u16,u16)>':
        return t.sequence(t.tuple(t.u16, t.u16));
      case 'AccountId32':
        return accountId;
      case 'Vec<AccountId32>':
        return t.sequence(accountId);
      case 'Vec<bool>':
        return t.sequence(t.bool);
      case 'Vec<u16>':
        return t.sequence(t.u16);
      case 'Vec<u64>':
        return t.sequence(t.u64);
      case 'AxonInfo':
        return t.composite(
          ['pallet_subtensor', 'AxonInfo'],
          [
            { name: 'block', type: t.u64, typeName: 'u64' },
            { name: 'version', type: t.u32, typeName: 'u32' },
            { name: 'ip', type: t.u128, typeName: 'u128' },
            { name: 'port', type: t.u16, typeName: 'u16' },
            { name: 'ip_type', type: t.u8, typeName: 'u8' },
            { name: 'protocol', type: t.u8, typeName: 'u8' },
            { name: 'placeholder1', type: t.u8, typeName: 'u8' },
            { name: 'placeholder2', type: t.u8, typeName: 'u8' },
          ],
        );
      case 'PrometheusInfo':
        return t.composite(
          ['pallet_subtensor', 'PrometheusInfo'],
          [
            { name: 'block', type: t.u64, typeName: 'u64' },
            { name: 'version', type: t.u32, typeName: 'u32' },
            { name: 'ip', type: t.u128, typeName: 'u128' },
            { name: 'port', type: t.u16, typeName: 'u16' },
            { name: 'ip_type', type: t.u8, typeName: 'u8' },
          ],
        );
    }
  };
  const le = (type: string, value: unknown) => encode(type, value);
  const systemStorage: StorageSpec[] = [
    {
      name: 'Account',
      keys: [['Blake2_128Concat', accountId]],
      value: accountInfo,
      fallback: le('AccountInfo', {}),
      docs: 'The full account information for a particular account ID.',
    },
    {
      name: 'Number',
      value: t.u32,
      fallback: le('u32', 0),
      docs: 'The current block number being processed.',
    },
    {
      name: 'ParentHash',
      value: h256,
      fallback: le('H256', undefined),
      docs: 'Hash of the previous block.',
    },
    {
      name: 'BlockHash',
      keys: [['Twox64Concat', t.u32]],
      value: h256,
      fallback: le('H256', undefined),
      docs: 'Map of block numbers to block hashes.',
    },
    {
      name: 'Events',
      value: t.sequence(eventRecord),
      fallback: le('u8', 0),
      docs: 'Events deposited for the current block.',
    },
    {
      name: 'EventCount',
      value: t.u32,
      fallback: le('u32', 0),
      docs: 'The number of events in the Events list.',
    },
  ];
  const timestampStorage: StorageSpec[] = [
    {
      name: 'Now',
      value: t.u64,
      fallback: le('u64', 0),
      docs: 'The current time for the current block, in milliseconds.',
    },
  ];
  const { defaults } = profile;
  const subtensorStorage: StorageSpec[] = [
    { name: 'NetworksAdded', keys: [u16Key], value: t.bool, fallback: le('bool', false) },
    { name: 'Uids', keys: [u16Key, ['Blake2_128Concat', accountId]], value: t.u16 },
    { name: 'Keys', keys: [u16Key, u16Key], value: accountId, fallback: new Uint8Array(32) },
    { name: 'SubnetworkN', keys: [u16Key], value: t.u16, fallback: le('u16', 0) },
    { name: 'SubnetOwnerHotkey', keys: [u16Key], value: accountId, fallback: new Uint8Array(32) },
    { name: 'WeightsSetRateLimit', keys: [u16Key], value: t.u64, fallback: le('u64', 100) },
    { name: 'LastUpdate', keys: [u16Key], value: t.sequence(t.u64), fallback: le('u8', 0) },
    { name: 'WeightsVersionKey', keys: [u16Key], value: t.u64, fallback: le('u64', 0) },
    {
      name: 'MinAllowedWeights',
      keys: [u16Key],
      value: t.u16,
      fallback: le('u16', defaults.minAllowedWeights),
    },
    {
      name: 'MaxWeightsLimit',
      keys: [u16Key],
      value: t.u16,
      fallback: le('u16', defaults.maxWeightsLimit),
    },
    {
      name: 'CommitRevealWeightsEnabled',
      keys: [u16Key],
      value: t.bool,
      fallback: le('bool', defaults.commitRevealWeightsEnabled),
    },
    {
      name: 'RevealPeriodEpochs',
      keys: [['Twox64Concat', t.u16]],
      value: t.u64,
      fallback: le('u64', 1),
    },
    { name: 'Tempo', keys: [u16Key], value: t.u16, fallback: le('u16', defaults.tempo) },
    { name: 'ValidatorPermit', keys: [u16Key], value: t.sequence(t.bool), fallback: le('u8', 0) },
    // Blocks after which a neuron whose LastUpdate is older counts as inactive (DefaultActivityCutoff).
    { name: 'ActivityCutoff', keys: [u16Key], value: t.u16, fallback: le('u16', 5000) },
    { name: profile.stakeItem, value: t.u64, fallback: le('u64', 0) },
    {
      name: 'TotalHotkeyAlpha',
      keys: [['Blake2_128Concat', accountId], u16Key],
      value: t.u64,
      fallback: le('u64', 0),
    },
    {
      name: 'Weights',
      keys: [u16Key, u16Key],
      value: t.sequence(t.tuple(t.u16, t.u16)),
      fallback: le('u8', 0),
    },
    {
      name: 'WeightCommits',
      keys: [
        ['Twox64Concat', t.u16],
        ['Twox64Concat', accountId],
      ],
      value: vecDeque(t.tuple(h256, t.u64, t.u64, t.u64)),
    },
    ...(profile.timelocked
      ? [
          {
            name: 'TimelockedWeightCommits',
            keys: [
              ['Twox64Concat', t.u16],
              ['Twox64Concat', t.u64],
            ] as Array<[Hasher, number]>,
            value: vecDeque(t.tuple(accountId, t.u64, bytes, t.u64)),
            fallback: le('u8', 0),
          },
          { name: 'CommitRevealWeightsVersion', value: t.u16, fallback: le('u16', 4) },
        ]
      : []),
    // Client-facing items (the hyperparameters SubnetInfoRuntimeApi reads, and what the Python
    // SDK reads directly), with the spec-218 runtime's hashers, types and defaults.
    ...CLIENT_ITEMS.map(([name, hashers, value, fallback]) => ({
      name,
      keys: hashers.map(
        (hasher, i) =>
          [hasher, clientKey(name, i) === 'account' ? accountId : t.u16] as [Hasher, number],
      ),
      value: clientValue(value),
      ...(fallback === null ? {} : { fallback: hexToU8a(fallback) }),
    })),
    ...(profile.mechanisms
      ? [
          {
            name: 'MechanismCountCurrent',
            keys: [['Twox64Concat', t.u16]] as Array<[Hasher, number]>,
            value: t.u8,
            fallback: le('u8', 1),
          },
          // Normalised u16 proportions per mechanism; None: an even split.
          {
            name: 'MechanismEmissionSplit',
            keys: [['Twox64Concat', t.u16]] as Array<[Hasher, number]>,
            value: vecU16,
          },
        ]
      : []),
  ];
  const drandStorage = (): StorageSpec[] => [
    { name: 'BeaconConfig', value: beaconConfig(), fallback: new Uint8Array(4 + 4 + 5) },
    { name: 'LastStoredRound', value: t.u64, fallback: le('u64', 0) },
    { name: 'Pulses', keys: [['Blake2_128Concat', t.u64]], value: pulse() },
  ];

  /** A pallet's storage, less the omitted items (null when none is left). */
  const storage = (prefix: string, items: StorageSpec[]) => {
    inventory[prefix].storage = items.map(({ name }) => name);
    const kept = items.filter(({ name }) => keep(prefix, name));
    if (kept.length === 0) return null;
    return {
      prefix,
      items: kept.map(({ name, keys, value, fallback, docs }) => ({
        name,
        modifier: fallback ? 'Default' : 'Optional',
        type: keys
          ? {
              Map: {
                hashers: keys.map(([hasher]) => hasher),
                key: keys.length === 1 ? keys[0][1] : t.tuple(...keys.map(([, key]) => key)),
                value,
              },
            }
          : { Plain: value },
        fallback: u8aToHex(fallback ?? new Uint8Array([0])),
        docs: docs ? [docs] : [],
      })),
    };
  };

  const signedExtensions: Array<[string, number, number]> = [
    [
      'CheckNonZeroSender',
      t.composite(
        ['frame_system', 'extensions', 'check_non_zero_sender', 'CheckNonZeroSender'],
        [],
      ),
      t.tuple(),
    ],
    [
      'CheckSpecVersion',
      t.composite(['frame_system', 'extensions', 'check_spec_version', 'CheckSpecVersion'], []),
      t.u32,
    ],
    [
      'CheckTxVersion',
      t.composite(['frame_system', 'extensions', 'check_tx_version', 'CheckTxVersion'], []),
      t.u32,
    ],
    [
      'CheckGenesis',
      t.composite(['frame_system', 'extensions', 'check_genesis', 'CheckGenesis'], []),
      h256,
    ],
    [
      'CheckMortality',
      t.composite(
        ['frame_system', 'extensions', 'check_mortality', 'CheckMortality'],
        [{ type: eraType(t), typeName: 'Era' }],
      ),
      h256,
    ],
    [
      'CheckNonce',
      t.composite(
        ['frame_system', 'extensions', 'check_nonce', 'CheckNonce'],
        [{ type: t.compact(t.u32), typeName: 'T::Nonce' }],
      ),
      t.tuple(),
    ],
    [
      'CheckWeight',
      t.composite(['frame_system', 'extensions', 'check_weight', 'CheckWeight'], []),
      t.tuple(),
    ],
    [
      'ChargeTransactionPayment',
      t.composite(
        ['pallet_transaction_payment', 'ChargeTransactionPayment'],
        [{ type: t.compact(t.u64), typeName: 'BalanceOf<T>' }],
      ),
      t.tuple(),
    ],
    ...subtensorExtensions(t, profile),
  ];
  const extrinsicType = t.composite(
    ['sp_runtime', 'generic', 'unchecked_extrinsic', 'UncheckedExtrinsic'],
    [{ type: bytes }],
    [
      { name: 'Address', type: multiAddress },
      { name: 'Call', type: runtimeCall },
      { name: 'Signature', type: multiSignature },
      { name: 'Extra', type: t.tuple(...signedExtensions.map(([, type]) => type)) },
    ],
  );
  const runtimeType = t.composite(['node_subtensor_runtime', 'Runtime'], []);

  const constant = (name: string, type: number, value: Uint8Array, doc: string) => ({
    name,
    type,
    value: u8aToHex(value),
    docs: [doc],
  });
  /** A pallet as the metadata lists it, less what is omitted; undefined when it is omitted whole. */
  const pallet = (
    name: keyof typeof PALLETS,
    parts: {
      storage?: () => StorageSpec[];
      calls?: { type: number; names: string[] };
      events?: number;
      constants?: () => Array<ReturnType<typeof constant>>;
      errors?: number;
    },
  ) => {
    inventory[name] = { storage: [], calls: parts.calls?.names ?? [], constants: [] };
    const constants = parts.constants?.() ?? [];
    inventory[name].constants = constants.map((c) => c.name);
    const entry = {
      name,
      index: PALLETS[name],
      storage: parts.storage ? storage(name, parts.storage()) : null,
      calls: parts.calls && keep(name) ? { type: parts.calls.type } : null,
      events: parts.events === undefined ? null : { type: parts.events },
      constants: constants.filter((c) => keep(name, c.name)),
      errors: parts.errors === undefined ? null : { type: parts.errors },
    };
    return keep(name) ? entry : undefined;
  };
  const pallets = [
    pallet('System', {
      storage: () => systemStorage,
      calls: systemCall === undefined ? undefined : { type: systemCall, names: ['remark'] },
      events: systemEvent,
      constants: () => [
        constant(
          'BlockHashCount',
          t.u32,
          le('u32', BLOCK_HASH_COUNT),
          'Maximum number of block number to block hash mappings to keep.',
        ),
        constant(
          'SS58Prefix',
          t.u16,
          le('u16', SS58_PREFIX),
          'The designated SS58 prefix of this chain.',
        ),
      ],
      errors: systemError,
    }),
    pallet('Timestamp', {
      storage: () => timestampStorage,
      constants: () => [
        constant(
          'MinimumPeriod',
          t.u64,
          le('u64', Math.floor(blockTimeMs / 2)),
          'The minimum period between blocks: half the block time.',
        ),
      ],
    }),
    pallet('Aura', {
      constants: () => [
        constant(
          'SlotDuration',
          t.u64,
          le('u64', blockTimeMs),
          'The slot duration Aura should run with, expressed in milliseconds.',
        ),
      ],
    }),
    pallet('SubtensorModule', {
      storage: () => subtensorStorage,
      calls:
        subtensorCall === undefined
          ? undefined
          : { type: subtensorCall, names: Object.keys(subtensorCalls(profile)) },
      events: subtensorEvent,
      errors: subtensorError,
    }),
    pallet('Balances', {
      constants: () => [
        constant(
          'ExistentialDeposit',
          t.u64,
          le('u64', EXISTENTIAL_DEPOSIT),
          'The minimum amount required to keep an account open.',
        ),
      ],
    }),
    ...(profile.timelocked ? [pallet('Drand', { storage: drandStorage })] : []),
  ].filter((entry) => entry !== undefined);

  // --- Runtime APIs (listed in V15) ----------------------------------------------------------
  const runtimeError = t.variant(
    ['node_subtensor_runtime', 'RuntimeError'],
    [
      { name: 'System', index: PALLETS.System, fields: [{ type: systemError }] },
      {
        name: 'SubtensorModule',
        index: PALLETS.SubtensorModule,
        fields: [{ type: subtensorError }],
      },
    ],
  );
  const opaqueMetadata = t.composite(
    ['sp_core', 'OpaqueMetadata'],
    [{ type: bytes, typeName: 'Vec<u8>' }],
  );
  const runtimeVersionType = t.composite(
    ['sp_version', 'RuntimeVersion'],
    [
      { name: 'spec_name', type: t.primitive('Str'), typeName: 'RuntimeString' },
      { name: 'impl_name', type: t.primitive('Str'), typeName: 'RuntimeString' },
      { name: 'authoring_version', type: t.u32, typeName: 'u32' },
      { name: 'spec_version', type: t.u32, typeName: 'u32' },
      { name: 'impl_version', type: t.u32, typeName: 'u32' },
      {
        name: 'apis',
        type: t.sequence(t.tuple(t.array(8, t.u8), t.u32)),
        typeName: 'ApisVec',
      },
      { name: 'transaction_version', type: t.u32, typeName: 'u32' },
      { name: 'state_version', type: t.u8, typeName: 'u8' },
    ],
  );
  const apis = runtimeApis(profile).map(({ name, docs, methods }) => ({
    name,
    docs,
    methods: methods.map(({ name: method, inputs, output }) => ({
      name: method,
      inputs: inputs.map(([input, type]) => ({ name: input, type: apiType(type) })),
      output: apiType(output),
    })),
  }));
  function apiType(type: ApiType): number {
    switch (type) {
      case 'u16':
        return t.u16;
      case 'u32':
        return t.u32;
      case 'Vec<u8>':
        return bytes;
      case 'Vec<u32>':
        return t.sequence(t.u32);
      case 'AccountId32':
        return accountId;
      case 'OpaqueMetadata':
        return opaqueMetadata;
      case 'Option<OpaqueMetadata>':
        return t.option(opaqueMetadata);
      case 'RuntimeVersion':
        return runtimeVersionType;
    }
  }

  const v14 = scratch.createType('MetadataV14', {
    lookup: { types: t.types },
    pallets,
    extrinsic: {
      type: extrinsicType,
      version: 4,
      signedExtensions: signedExtensions.map(([identifier, type, additionalSigned]) => ({
        identifier,
        type,
        additionalSigned,
      })),
    },
    type: runtimeType,
  });
  // "meta" magic number, then the version-14 variant of the versioned metadata enum.
  const metadata = u8aConcat(stringToU8a('meta'), new Uint8Array([14]), v14.toU8a());
  const v15 = scratch.createType('MetadataV15', {
    lookup: { types: t.types },
    pallets: pallets.map((entry) => ({ ...entry, docs: [] })),
    extrinsic: {
      version: 4,
      addressType: multiAddress,
      callType: runtimeCall,
      signatureType: multiSignature,
      extraType: t.tuple(...signedExtensions.map(([, type]) => type)),
      signedExtensions: signedExtensions.map(([identifier, type, additionalSigned]) => ({
        identifier,
        type,
        additionalSigned,
      })),
    },
    type: runtimeType,
    apis: apis.map(({ name, methods, docs }) => ({
      name,
      methods: methods.map((method) => ({ ...method, docs: [] })),
      docs: [docs],
    })),
    outerEnums: { callType: runtimeCall, eventType: runtimeEvent, errorType: runtimeError },
    custom: { map: {} },
  });
  const metadataV15 = u8aConcat(stringToU8a('meta'), new Uint8Array([15]), v15.toU8a());
  return { hex: u8aToHex(metadata), hexV15: u8aToHex(metadataV15), inventory };
}

type ApiType =
  | 'u16'
  | 'u32'
  | 'Vec<u8>'
  | 'Vec<u32>'
  | 'AccountId32'
  | 'OpaqueMetadata'
  | 'Option<OpaqueMetadata>'
  | 'RuntimeVersion';

interface RuntimeApiSpec {
  name: string;
  docs: string;
  methods: Array<{ name: string; inputs: Array<[string, ApiType]>; output: ApiType }>;
}

/**
 * The runtime APIs devnet answers (devnet/src/runtime-apis.ts), with the signatures the spec-218
 * runtime's metadata V15 gives them: subtensor's own APIs take and return SCALE bytes (`Vec<u8>`)
 * there, the encoded value inside.
 */
export function runtimeApis(profile: RuntimeProfile): RuntimeApiSpec[] {
  void profile;
  return [
    {
      name: 'Core',
      docs: 'The `Core` runtime api that every Substrate runtime needs to implement.',
      methods: [{ name: 'version', inputs: [], output: 'RuntimeVersion' }],
    },
    {
      name: 'Metadata',
      docs: 'The `Metadata` api trait that returns metadata for the runtime.',
      methods: [
        { name: 'metadata', inputs: [], output: 'OpaqueMetadata' },
        {
          name: 'metadata_at_version',
          inputs: [['version', 'u32']],
          output: 'Option<OpaqueMetadata>',
        },
        { name: 'metadata_versions', inputs: [], output: 'Vec<u32>' },
      ],
    },
    {
      name: 'NeuronInfoRuntimeApi',
      docs: '',
      methods: [
        { name: 'get_neurons_lite', inputs: [['netuid', 'u16']], output: 'Vec<u8>' },
        {
          name: 'get_neuron_lite',
          inputs: [
            ['netuid', 'u16'],
            ['uid', 'u16'],
          ],
          output: 'Vec<u8>',
        },
      ],
    },
    {
      name: 'StakeInfoRuntimeApi',
      docs: '',
      methods: [
        {
          name: 'get_stake_info_for_coldkey',
          inputs: [['coldkey_account_vec', 'Vec<u8>']],
          output: 'Vec<u8>',
        },
      ],
    },
    {
      name: 'SubnetInfoRuntimeApi',
      docs: '',
      methods: [
        { name: 'get_subnet_info', inputs: [['netuid', 'u16']], output: 'Vec<u8>' },
        { name: 'get_subnet_hyperparams', inputs: [['netuid', 'u16']], output: 'Vec<u8>' },
      ],
    },
  ];
}

/** Balances.ExistentialDeposit of the spec-218 runtime, in rao. */
export const EXISTENTIAL_DEPOSIT = 500;

type ClientValue =
  | 'u16'
  | 'u64'
  | 'bool'
  | '(u16,u16)'
  | 'Vec<(u16,u16)>'
  | 'AccountId32'
  | 'Vec<AccountId32>'
  | 'Vec<bool>'
  | 'Vec<u16>'
  | 'Vec<u64>'
  | 'AxonInfo'
  | 'PrometheusInfo';

/**
 * SubtensorModule items clients read, as the spec-218 runtime's metadata declares them (name,
 * hashers, value, default): the hyperparameters of SubnetInfoRuntimeApi.get_subnet_hyperparams
 * devnet does not otherwise hold, and TotalNetworks, IsNetworkMember, Bonds and Delegates.
 * Keys are u16 netuids, except the account of Delegates and the first key of IsNetworkMember.
 */
const ZERO_ACCOUNT = `0x${'00'.repeat(32)}` as const;
const CLIENT_ITEMS: ReadonlyArray<[string, Hasher[], ClientValue, `0x${string}` | null]> = [
  ['Rho', ['Identity'], 'u16', '0x0a00'],
  ['Kappa', ['Identity'], 'u16', '0xff7f'],
  ['ImmunityPeriod', ['Identity'], 'u16', '0x0010'],
  ['MinDifficulty', ['Identity'], 'u64', '0x8096980000000000'],
  ['MaxDifficulty', ['Identity'], 'u64', '0xffffffffffffff3f'],
  ['AdjustmentInterval', ['Identity'], 'u16', '0x6400'],
  ['NetworkRegistrationAllowed', ['Identity'], 'bool', '0x00'],
  ['TargetRegistrationsPerInterval', ['Identity'], 'u16', '0x0400'],
  ['MinBurn', ['Identity'], 'u64', '0x00ca9a3b00000000'],
  ['MaxBurn', ['Identity'], 'u64', '0x00e8764817000000'],
  ['BondsMovingAverage', ['Identity'], 'u64', '0x301b0f0000000000'],
  ['MaxRegistrationsPerBlock', ['Identity'], 'u16', '0x0400'],
  ['ServingRateLimit', ['Identity'], 'u64', '0x3200000000000000'],
  ['MaxAllowedValidators', ['Identity'], 'u16', '0x8000'],
  ['AdjustmentAlpha', ['Identity'], 'u64', '0x0000000000000000'],
  ['Difficulty', ['Identity'], 'u64', '0x8096980000000000'],
  ['AlphaValues', ['Identity'], '(u16,u16)', '0x33b366e6'],
  ['LiquidAlphaOn', ['Blake2_128Concat'], 'bool', '0x00'],
  ['TotalNetworks', [], 'u16', '0x0000'],
  ['IsNetworkMember', ['Blake2_128Concat', 'Identity'], 'bool', '0x00'],
  ['Bonds', ['Identity', 'Identity'], 'Vec<(u16,u16)>', '0x00'],
  ['Delegates', ['Blake2_128Concat'], 'u16', '0x142e'],
  // What SubnetInfoRuntimeApi.get_subnet_info and NeuronInfoRuntimeApi.get_neuron(s)_lite read.
  ['ScalingLawPower', ['Identity'], 'u16', '0x3200'],
  ['MaxAllowedUids', ['Identity'], 'u16', '0x0010'],
  ['BlocksSinceLastStep', ['Identity'], 'u64', '0x0000000000000000'],
  ['NetworkModality', ['Identity'], 'u16', '0x0000'],
  ['EmissionValues', ['Identity'], 'u64', '0x0000000000000000'],
  ['Burn', ['Identity'], 'u64', '0x00ca9a3b00000000'],
  ['SubnetOwner', ['Identity'], 'AccountId32', ZERO_ACCOUNT],
  ['Owner', ['Blake2_128Concat'], 'AccountId32', ZERO_ACCOUNT],
  ['Active', ['Identity'], 'Vec<bool>', '0x00'],
  ['Rank', ['Identity'], 'Vec<u16>', '0x00'],
  ['Trust', ['Identity'], 'Vec<u16>', '0x00'],
  ['Consensus', ['Identity'], 'Vec<u16>', '0x00'],
  ['Incentive', ['Identity'], 'Vec<u16>', '0x00'],
  ['Dividends', ['Identity'], 'Vec<u16>', '0x00'],
  ['Emission', ['Identity'], 'Vec<u64>', '0x00'],
  ['ValidatorTrust', ['Identity'], 'Vec<u16>', '0x00'],
  ['PruningScores', ['Identity'], 'Vec<u16>', '0x00'],
  // What StakeInfoRuntimeApi reads: a coldkey's hotkeys, alpha shares and dividends.
  ['StakingHotkeys', ['Blake2_128Concat'], 'Vec<AccountId32>', '0x00'],
  ['Alpha', ['Blake2_128Concat', 'Blake2_128Concat', 'Identity'], 'u64', '0x0000000000000000'],
  ['TotalHotkeyShares', ['Blake2_128Concat', 'Identity'], 'u64', '0x0000000000000000'],
  ['HotkeyDividendsPerSubnet', ['Identity', 'Blake2_128Concat'], 'u64', '0x0000000000000000'],
  // Stake(hotkey, coldkey): the stake map NeuronInfoLite.stake lists, per hotkey.
  ['Stake', ['Blake2_128Concat', 'Identity'], 'u64', '0x0000000000000000'],
  ['Axons', ['Identity', 'Blake2_128Concat'], 'AxonInfo', null],
  ['Prometheus', ['Identity', 'Blake2_128Concat'], 'PrometheusInfo', null],
];

/** Whether key `i` of a client item is an account (else a u16). */
function clientKey(name: string, i: number): 'account' | 'u16' {
  if (name === 'Stake' || name === 'StakingHotkeys') return 'account';
  if (name === 'Alpha') return i < 2 ? 'account' : 'u16';
  if (name === 'TotalHotkeyShares') return i === 0 ? 'account' : 'u16';
  if (name === 'HotkeyDividendsPerSubnet') return i === 1 ? 'account' : 'u16';
  if (name === 'Delegates' || name === 'IsNetworkMember' || name === 'Owner')
    return i === 0 ? 'account' : 'u16';
  return (name === 'Axons' || name === 'Prometheus') && i === 1 ? 'account' : 'u16';
}

/**
 * Subtensor's own signed extensions, after ChargeTransactionPayment: one transaction extension on
 * current runtimes; on older ones SubtensorSignedExtension, CommitmentsSignedExtension and
 * CheckMetadataHash (mode u8 in the extrinsic, an optional metadata hash signed along).
 */
function subtensorExtensions(
  t: TypeBuilder,
  profile: RuntimeProfile,
): Array<[string, number, number]> {
  if (profile.extensions === 'transaction-extension') {
    return [
      [
        'SubtensorTransactionExtension',
        t.composite(
          ['pallet_subtensor', 'transaction_extension', 'SubtensorTransactionExtension'],
          [],
        ),
        t.tuple(),
      ],
    ];
  }
  const runtime = t.composite(['node_subtensor_runtime', 'Runtime'], []);
  return [
    [
      'SubtensorSignedExtension',
      t.composite(
        ['pallet_subtensor', 'SubtensorSignedExtension'],
        [],
        [{ name: 'T', type: runtime }],
      ),
      t.tuple(),
    ],
    [
      'CommitmentsSignedExtension',
      t.composite(
        ['pallet_commitments', 'CommitmentsSignedExtension'],
        [],
        [{ name: 'T', type: runtime }],
      ),
      t.tuple(),
    ],
    [
      'CheckMetadataHash',
      t.composite(
        ['frame_metadata_hash_extension', 'CheckMetadataHash'],
        [
          {
            name: 'mode',
            type: t.variant(
              ['frame_metadata_hash_extension', 'Mode'],
              [
                { name: 'Disabled', index: 0 },
                { name: 'Enabled', index: 1 },
              ],
            ),
            typeName: 'Mode',
          },
        ],
      ),
      t.option(t.array(32, t.u8)),
    ],
  ];
}

/** sp_runtime::generic::Era: Immortal, then Mortal1..Mortal255 each carrying one byte. */
function eraType(t: TypeBuilder): number {
  const variants: VariantSpec[] = [{ name: 'Immortal', index: 0 }];
  for (let i = 1; i < 256; i++)
    variants.push({ name: `Mortal${i}`, index: i, fields: [{ type: t.u8 }] });
  return t.variant(['sp_runtime', 'generic', 'era', 'Era'], variants);
}

/** The real index of an error or event where the profile lists them, else devnet's own. */
function realIndex(
  indices: Readonly<Record<string, number>> | undefined,
  name: string,
  own: number,
): number {
  if (!indices) return own;
  const index = indices[name];
  if (index === undefined) throw new Error(`no real index for ${name}`);
  return index;
}
