/** Chain state: SCALE-encoded values under their real storage keys, read and written by item name. */
import type { Codec } from '@polkadot/types/types';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import type { Hex, Runtime } from './runtime';

export class State {
  constructor(
    readonly runtime: Runtime,
    private readonly values: Map<Hex, Uint8Array> = new Map(),
  ) {}

  clone(): State {
    return new State(this.runtime, new Map(this.values));
  }

  /** The decoded value, the item's default when unset, or undefined for an unset Optional item. */
  get<T extends Codec = Codec>(section: string, method: string, ...keys: unknown[]): T | undefined {
    const key = this.runtime.storageKey(section, method, ...keys);
    return this.runtime.decode(section, method, this.values.get(key)) as T | undefined;
  }

  /** Like get, for items with a default (never undefined). */
  value<T extends Codec = Codec>(section: string, method: string, ...keys: unknown[]): T {
    const value = this.get<T>(section, method, ...keys);
    if (value === undefined) throw new Error(`${section}.${method} has no default`);
    return value;
  }

  /** Stores `value` (anything createType accepts for the item's type) under the item and keys. */
  set(section: string, method: string, keys: unknown[], value: unknown): void {
    this.values.set(
      this.runtime.storageKey(section, method, ...keys),
      this.runtime.encode(section, method, value),
    );
  }

  remove(section: string, method: string, ...keys: unknown[]): void {
    this.values.delete(this.runtime.storageKey(section, method, ...keys));
  }

  /** Stores raw SCALE bytes under a raw key (null removes it). */
  setRaw(key: Hex, value: Hex | null): void {
    const lower = key.toLowerCase() as Hex;
    if (value === null) this.values.delete(lower);
    else this.values.set(lower, hexToU8a(value));
  }

  raw(key: Hex): Hex | null {
    const value = this.values.get(key.toLowerCase() as Hex);
    return value === undefined ? null : u8aToHex(value);
  }

  /** Keys under a prefix, in byte order, as state_getKeysPaged pages them. */
  keys(prefix: Hex): Hex[] {
    const lower = prefix.toLowerCase();
    return [...this.values.keys()].filter((key) => key.startsWith(lower)).sort();
  }

  /** Takes over another state's values: how a call's changes are kept once it succeeds. */
  adopt(other: State): void {
    this.values.clear();
    for (const [key, value] of other.values) this.values.set(key, value);
  }
}
