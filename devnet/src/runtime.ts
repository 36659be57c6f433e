/** The devnet's view of its own runtime: the type registry and the decorated metadata. */
import { Metadata, TypeRegistry } from '@polkadot/types';
import { expandMetadata } from '@polkadot/types/metadata/decorate';
import type { DecoratedMeta } from '@polkadot/types/metadata/decorate/types';
import type { Codec } from '@polkadot/types/types';
import { unwrapStorageSi } from '@polkadot/types/util';
import { compactStripLength, u8aConcat, u8aToHex } from '@polkadot/util';
import { buildMetadata } from './metadata/build';

export type Hex = `0x${string}`;

/**
 * Subtensor's own signed extension carries no data; declaring it keeps @polkadot/api from warning
 * that it does not know it. Clients pass the same to ApiPromise.create({ signedExtensions }).
 */
export const SUBTENSOR_SIGNED_EXTENSIONS = {
  SubtensorTransactionExtension: { extrinsic: {}, payload: {} },
};

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

export class Runtime {
  readonly registry = new TypeRegistry();
  readonly metadataHex: Hex;
  readonly decorated: DecoratedMeta;
  readonly version: RuntimeVersion;
  private readonly metadata: Metadata;

  constructor(specVersion: number, legacy = false) {
    this.metadataHex = buildMetadata({ legacy }).hex;
    const metadata = new Metadata(this.registry, this.metadataHex);
    this.metadata = metadata;
    this.registry.setMetadata(metadata, undefined, SUBTENSOR_SIGNED_EXTENSIONS);
    this.decorated = expandMetadata(this.registry, metadata);
    this.version = {
      specName: 'node-subtensor',
      implName: 'node-subtensor',
      authoringVersion: 1,
      specVersion,
      implVersion: 1,
      apis: [],
      transactionVersion: 1,
      stateVersion: 1,
    };
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
