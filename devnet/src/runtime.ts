/** The devnet's view of its own runtime: the type registry and the decorated metadata. */
import { Metadata, TypeRegistry } from '@polkadot/types';
import { expandMetadata } from '@polkadot/types/metadata/decorate';
import type { DecoratedMeta } from '@polkadot/types/metadata/decorate/types';
import type { Codec } from '@polkadot/types/types';
import { unwrapStorageSi } from '@polkadot/types/util';
import {
  compactAddLength,
  compactStripLength,
  hexToU8a,
  stringCamelCase,
  u8aConcat,
  u8aToHex,
} from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import { buildMetadata, type Inventory } from './metadata/build';
import { runtimeProfile, type RuntimeProfile } from './profiles';

export type Hex = `0x${string}`;

/**
 * Subtensor's own signed extensions carry no data; declaring them keeps @polkadot/api from warning
 * that it does not know them. Clients pass the same to ApiPromise.create({ signedExtensions }).
 * Current runtimes have SubtensorTransactionExtension; older ones (the `hash-commit-reveal`
 * profile) SubtensorSignedExtension and CommitmentsSignedExtension.
 */
export const SUBTENSOR_SIGNED_EXTENSIONS = {
  SubtensorTransactionExtension: { extrinsic: {}, payload: {} },
  SubtensorSignedExtension: { extrinsic: {}, payload: {} },
  CommitmentsSignedExtension: { extrinsic: {}, payload: {} },
};

/** Runtime API ids (blake2_64 of the name) and versions, as RuntimeVersion.apis lists them. */
export const RUNTIME_APIS = {
  Core: [blake2AsHex('Core', 64) as Hex, 5],
  Metadata: [blake2AsHex('Metadata', 64) as Hex, 2],
  // The spec-218 runtime's version of it (its RuntimeVersion.apis). AccountNonceApi is answered
  // but not listed: @polkadot/api would take nonces from it (state only) instead of
  // system_accountNextIndex (pool included), which the publisher's tests count on.
  NeuronInfoRuntimeApi: [blake2AsHex('NeuronInfoRuntimeApi', 64) as Hex, 1],
  SubnetInfoRuntimeApi: [blake2AsHex('SubnetInfoRuntimeApi', 64) as Hex, 1],
  StakeInfoRuntimeApi: [blake2AsHex('StakeInfoRuntimeApi', 64) as Hex, 1],
} as const;

/** Metadata versions the Metadata runtime API serves (V15 adds the runtime APIs' signatures). */
export const METADATA_VERSIONS = [14, 15] as const;

export interface RuntimeOptions {
  /** The runtime generation (default `current`). */
  profile?: RuntimeProfile;
  /** Spec version reported and signed against (default: the profile's). */
  specVersion?: number;
  /** Items left out of the metadata the node serves (see MetadataOptions.omit). */
  omit?: readonly string[];
  /** Block time, in ms, as Aura.SlotDuration tells it (default 12 000). */
  blockTimeMs?: number;
}

export interface RuntimeVersion {
  specName: string;
  implName: string;
  authoringVersion: number;
  specVersion: number;
  implVersion: number;
  apis: Array<[Hex, number]>;
  transactionVersion: number;
  stateVersion: number;
}

/**
 * The runtime has two views of its metadata: the profile's whole metadata, which the chain's own
 * logic uses (storage keys, values, events, errors), and the metadata it serves to clients, which
 * leaves out the `omit` items. Omitted items keep working inside the chain; clients just do not
 * see them, as with a real runtime that lacks them.
 */
export class Runtime {
  readonly registry = new TypeRegistry();
  readonly profile: RuntimeProfile;
  /** The metadata served to clients (state_getMetadata, Metadata_metadata_at_version). */
  readonly metadataHex: Hex;
  /** The same as V15 (Metadata_metadata_at_version(15)). */
  readonly metadataV15Hex: Hex;
  readonly decorated: DecoratedMeta;
  readonly version: RuntimeVersion;
  /** Calls left out of the served metadata, as `section.method` (camelCase, as the api names them). */
  private readonly omittedCalls: ReadonlySet<string>;
  private readonly metadata: Metadata;

  constructor(options: RuntimeOptions = {}) {
    this.profile = options.profile ?? runtimeProfile();
    const whole = buildMetadata({
      profile: this.profile,
      blockTimeMs: options.blockTimeMs,
    });
    const { hex, inventory } = whole;
    const omit = options.omit ?? [];
    const served =
      omit.length > 0
        ? buildMetadata({ profile: this.profile, blockTimeMs: options.blockTimeMs, omit })
        : whole;
    this.metadataHex = served.hex;
    this.metadataV15Hex = served.hexV15;
    this.omittedCalls = omittedCalls(omit, inventory);
    const metadata = new Metadata(this.registry, hex);
    this.metadata = metadata;
    this.registry.setMetadata(metadata, undefined, SUBTENSOR_SIGNED_EXTENSIONS);
    this.decorated = expandMetadata(this.registry, metadata);
    this.version = {
      specName: 'node-subtensor',
      implName: 'node-subtensor',
      authoringVersion: 1,
      specVersion: options.specVersion ?? this.profile.specVersion,
      implVersion: 1,
      apis: Object.values(RUNTIME_APIS).map(([id, version]) => [id, version] as [Hex, number]),
      transactionVersion: 1,
      stateVersion: 1,
    };
  }

  /** Whether clients can see a call (`section`, `method` camelCase); omitted calls they cannot. */
  servesCall(section: string, method: string): boolean {
    return !this.omittedCalls.has(`${section}.${method}`);
  }

  /** Metadata_metadata_versions: SCALE Vec<u32>. */
  metadataVersions(): Hex {
    return this.registry.createType('Vec<u32>', [...METADATA_VERSIONS]).toHex();
  }

  /** Metadata_metadata_at_version: SCALE Option<OpaqueMetadata>, None for a version not served. */
  metadataAtVersion(version: number): Hex {
    if (!(METADATA_VERSIONS as readonly number[]).includes(version)) return '0x00';
    const metadata = version === 15 ? this.metadataV15Hex : this.metadataHex;
    return u8aToHex(u8aConcat(new Uint8Array([1]), compactAddLength(hexToU8a(metadata))));
  }

  /** Metadata_metadata: SCALE OpaqueMetadata (the served metadata as Vec<u8>). */
  opaqueMetadata(): Uint8Array {
    return compactAddLength(hexToU8a(this.metadataHex));
  }

  /** Core_version: SCALE RuntimeVersion. */
  encodedVersion(): Hex {
    return this.registry.createType('RuntimeVersion', this.version).toHex();
  }

  private entry(section: string, method: string) {
    const entry = this.decorated.query[section]?.[method];
    if (!entry) throw new Error(`no storage item ${section}.${method}`);
    return entry;
  }

  /** The storage key of an item (and its map keys), as a node's state_getStorage takes it. */
  storageKey(section: string, method: string, ...keys: unknown[]): Hex {
    const entry = this.entry(section, method);
    const hashers = entry.meta.type.isMap ? entry.meta.type.asMap.hashers.length : 0;
    if (keys.length !== hashers) {
      throw new Error(`${section}.${method} takes ${hashers} keys, got ${keys.length}`);
    }
    return u8aToHex(compactStripLength(entry(...keys))[1]);
  }

  /** The prefix shared by all keys of a map whose first keys are `args`. */
  storagePrefix(section: string, method: string, ...args: unknown[]): Hex {
    return u8aToHex(this.entry(section, method).keyPrefix(...args));
  }

  valueType(section: string, method: string): string {
    return this.registry.createLookupType(unwrapStorageSi(this.entry(section, method).meta.type));
  }

  /** Decodes stored bytes, or the item's default when nothing is stored (undefined for an Optional item). */
  decode(section: string, method: string, bytes: Uint8Array | undefined): Codec | undefined {
    const entry = this.entry(section, method);
    if (bytes === undefined) {
      if (entry.meta.modifier.isOptional) return undefined;
      return this.registry.createType(
        this.valueType(section, method),
        entry.meta.fallback.toU8a(true),
      );
    }
    return this.registry.createType(this.valueType(section, method), bytes);
  }

  /**
   * SCALE bytes of a RuntimeEvent given as {Pallet: {Event: fields}}: the pallet index, then the
   * pallet's event enum (the api's generic Event type cannot be built from JSON).
   */
  encodeEvent(event: Record<string, Record<string, unknown>>): Uint8Array {
    const [[pallet, inner]] = Object.entries(event);
    const meta = this.metadata.asLatest.pallets.find((p) => p.name.toString() === pallet);
    if (!meta || meta.events.isNone) throw new Error(`no events in pallet ${pallet}`);
    const type = this.registry.createLookupType(meta.events.unwrap().type);
    return u8aConcat(
      new Uint8Array([meta.index.toNumber()]),
      this.registry.createType(type, inner).toU8a(),
    );
  }

  encode(section: string, method: string, value: unknown): Uint8Array {
    return this.registry.createType(this.valueType(section, method), value).toU8a();
  }
}

/** The calls an omit list hides: named ones and those of omitted pallets, as `section.method`. */
function omittedCalls(omit: readonly string[], inventory: Inventory): Set<string> {
  const hidden = new Set<string>();
  for (const entry of omit) {
    const [pallet, item] = entry.split('.');
    for (const call of inventory[pallet]?.calls ?? []) {
      if (item === undefined || item === call)
        hidden.add(`${stringCamelCase(pallet)}.${stringCamelCase(call)}`);
    }
  }
  return hidden;
}
