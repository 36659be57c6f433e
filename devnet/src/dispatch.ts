/** What a call's execution needs and how it fails, shared by the pallets. */
import type { AccountId32 } from '@polkadot/types/interfaces';
import type { State } from './state';

/** A dispatch error of a pallet, named as in the metadata; it becomes DispatchError::Module. */
export class ModuleError extends Error {
  constructor(
    readonly pallet: string,
    readonly error: string,
  ) {
    super(`${pallet}.${error}`);
  }
}

/** An event as RuntimeEvent takes it: pallet name → event name → fields. */
export type RuntimeEvent = Record<string, Record<string, unknown>>;

export interface CallContext {
  state: State;
  who: AccountId32;
  block: number;
  deposit(event: RuntimeEvent): void;
}
