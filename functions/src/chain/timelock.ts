/**
 * The client side of subtensor's timelocked commit-reveal: the SCALE payload that
 * `commit_timelocked_weights` carries, its timelock encryption to a drand round (the chain decrypts
 * it itself once that round's pulse is stored), and which round to pick so the weights are revealed
 * in the reveal epoch. Errors never contain key material, payloads or plaintexts.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Registry } from '@polkadot/types/types';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { DEFAULT_BLOCK_SECONDS } from './runtime-items';

/** A drand beacon: its BLS12-381 G2 public key (96 bytes, compressed), genesis (s) and period (s). */
export interface Beacon {
  publicKey: Uint8Array;
  genesisTime: number;
  period: number;
}

/** drand quicknet, the beacon subtensor uses when the runtime does not store `Drand.BeaconConfig`. */
export const QUICKNET: Beacon = Object.freeze({
  publicKey: hexToU8a(
    '0x83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a',
  ),
  genesisTime: 1692803367,
  period: 3,
});

export class TimelockError extends Error {
  override name = 'TimelockError';
}

const PUBLIC_KEY_BYTES = 96;
const SIGNATURE_BYTES = 48;
const HOTKEY_BYTES = 32;
const EPHEMERAL_KEY_BYTES = 32;
/** U (96) + 8-byte length prefixes and contents of v (32), w (32), body (+28) and "AES_GCM_". */
const CIPHERTEXT_OVERHEAD = 244;
const SUITE = new TextEncoder().encode('AES_GCM_');
const CURVE = 'bls12_381';
const U64_MAX = (1n << 64n) - 1n;
const U16_MAX = 0xffff;

/** The chain waits this many blocks past the start of the reveal epoch (subtensor's margin). */
const REVEAL_MARGIN_BLOCKS = 3;

/** sha256 of the round as a u64 big-endian: the IBE identity drand signs for that round. */
export function roundIdentity(round: bigint): Uint8Array {
  if (round < 0n || round > U64_MAX) throw new TimelockError('drand round is out of the u64 range');
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, round, false);
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

/**
 * SCALE of `{hotkey: Vec<u8>, uids: Vec<u16>, values: Vec<u16>, version_key: u64}`, encoded as a
 * tuple (a struct's SCALE is its fields in order). The hotkey goes in as hex: a Uint8Array given to
 * createType for Vec<u8> would be read as already SCALE-encoded (length prefix included).
 */
export function encodeWeightsPayload(
  registry: Registry,
  hotkeyPublicKey: Uint8Array,
  uids: readonly number[],
  values: readonly number[],
  versionKey: bigint,
): Uint8Array {
  if (hotkeyPublicKey.length !== HOTKEY_BYTES) {
    throw new TimelockError(`hotkey public key must be ${HOTKEY_BYTES} bytes`);
  }
  if (uids.length !== values.length) {
    throw new TimelockError(`${uids.length} uids but ${values.length} weight values`);
  }
  assertU16s('uid', uids);
  assertU16s('weight value', values);
  if (versionKey < 0n || versionKey > U64_MAX) {
    throw new TimelockError('version key is out of the u64 range');
  }
  return registry
    .createType('(Vec<u8>, Vec<u16>, Vec<u16>, u64)', [
      u8aToHex(hotkeyPublicKey),
      [...uids],
      [...values],
      versionKey,
    ])
    .toU8a();
}

function assertU16s(what: string, list: readonly number[]): void {
  for (const [i, n] of list.entries()) {
    if (!Number.isInteger(n) || n < 0 || n > U16_MAX) {
      throw new TimelockError(`${what} at index ${i} is not a u16`);
    }
  }
}

/**
 * Timelock-encrypts `payload` to drand `round` of `beacon`, in the layout the chain reads:
 * U (96 bytes) | v | w | body | "AES_GCM_", each after U with an 8-byte little-endian length.
 */
export async function encryptToRound(
  payload: Uint8Array,
  round: bigint,
  beacon: Beacon,
): Promise<Uint8Array> {
  if (beacon.publicKey.length !== PUBLIC_KEY_BYTES) {
    throw new TimelockError(`beacon public key must be ${PUBLIC_KEY_BYTES} bytes (compressed G2)`);
  }
  const identity = roundIdentity(round);
  const wasm = await timelockWasm();
  // The AES-GCM key: fresh for every commit, and wiped here once used (it is never kept).
  const ephemeralKey = new Uint8Array(EPHEMERAL_KEY_BYTES);
  randomFillSync(ephemeralKey);
  let ciphertext: Uint8Array;
  try {
    ciphertext = Uint8Array.from(
      wasm.tle(identity, payload, ephemeralKey, beacon.publicKey, CURVE),
    );
  } catch (err) {
    throw new TimelockError(`timelock encryption failed (${reason(err)})`);
  } finally {
    ephemeralKey.fill(0);
  }
  // A library whose output the chain could not parse would lose the commit silently: check here.
  if (!hasChainLayout(ciphertext, payload.length)) {
    throw new TimelockError('timelock ciphertext is not in the layout the chain reads');
  }
  return ciphertext;
}

/** Decrypts with the drand signature of the round it was encrypted to: checks a commit offline. */
export async function decryptWithSignature(
  ciphertext: Uint8Array,
  signature: Uint8Array,
): Promise<Uint8Array> {
  if (signature.length !== SIGNATURE_BYTES) {
    throw new TimelockError(`drand signature must be ${SIGNATURE_BYTES} bytes (compressed G1)`);
  }
  if (ciphertext.length < CIPHERTEXT_OVERHEAD) {
    throw new TimelockError('timelock ciphertext is too short');
  }
  const wasm = await timelockWasm();
  try {
    return Uint8Array.from(wasm.tld(ciphertext, signature, CURVE));
  } catch (err) {
    throw new TimelockError(`timelock decryption failed (${reason(err)})`);
  }
}

function hasChainLayout(ciphertext: Uint8Array, plaintextLength: number): boolean {
  if (ciphertext.length !== CIPHERTEXT_OVERHEAD + plaintextLength) return false;
  const tail = ciphertext.subarray(ciphertext.length - SUITE.length);
  return tail.every((byte, i) => byte === SUITE[i]);
}

/** The library's own error text (enum names such as InvalidSignature), never our inputs. */
function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.slice(0, 200);
}

/** The parts of the wasm-pack module used here (its published types are all `any`). */
interface TimelockWasm {
  initSync(init: { module: Uint8Array }): unknown;
  tle(
    id: Uint8Array,
    message: Uint8Array,
    ephemeralKey: Uint8Array,
    publicKey: Uint8Array,
    curve: typeof CURVE,
  ): number[];
  tld(ciphertext: Uint8Array, signature: Uint8Array, curve: typeof CURVE): number[];
}

let loaded: Promise<TimelockWasm> | undefined;

/** Loads and instantiates the wasm once per process; a failed load is retried on the next call. */
function timelockWasm(): Promise<TimelockWasm> {
  loaded ??= (async () => {
    // ESM-only package: a dynamic import, which TypeScript keeps as import() in CommonJS output.
    const wasm: TimelockWasm = await import('@ideallabs/timelock_wasm_wrapper');
    // A web build: instantiate from the .wasm bytes, as there is no fetch of a file URL in Node.
    wasm.initSync({
      module: readFileSync(
        require.resolve('@ideallabs/timelock_wasm_wrapper/timelock_wasm_wrapper_bg.wasm'),
      ),
    });
    return wasm;
  })().catch((err: unknown) => {
    loaded = undefined;
    throw new TimelockError(`cannot load the timelock library (${reason(err)})`);
  });
  return loaded;
}

/** Subtensor's epoch of a block: the netuid offsets the subnets' epoch boundaries. */
export function epochIndex(block: number, netuid: number, tempo: number): number {
  assertNonNegativeInteger('block', block);
  assertNonNegativeInteger('netuid', netuid);
  assertNonNegativeInteger('tempo', tempo);
  return Math.floor((block + netuid + 1) / (tempo + 1));
}

/** The first block whose epochIndex is `epoch` (block 0 for the epochs the offset cuts short). */
/**
 * The reveal window of a commit included in `block`: the epoch `RevealPeriodEpochs` after the
 * block's own (the chain keys the commit by the epoch it lands in, not the one it was built in).
 */
export function revealWindow(block: number, netuid: number, tempo: number, revealPeriod: number) {
  const commitEpoch = epochIndex(block, netuid, tempo);
  const revealEpoch = commitEpoch + revealPeriod;
  return {
    commit_epoch: commitEpoch,
    reveal_epoch: revealEpoch,
    first_reveal_block: firstBlockOfEpoch(revealEpoch, netuid, tempo),
    last_reveal_block: firstBlockOfEpoch(revealEpoch + 1, netuid, tempo) - 1,
  };
}

export function firstBlockOfEpoch(epoch: number, netuid: number, tempo: number): number {
  assertNonNegativeInteger('epoch', epoch);
  assertNonNegativeInteger('netuid', netuid);
  assertNonNegativeInteger('tempo', tempo);
  return Math.max(0, epoch * (tempo + 1) - (netuid + 1));
}

/**
 * The drand round to commit to: the one expected a few blocks into the reveal epoch (current epoch
 * + RevealPeriodEpochs), and always later than the last round the chain stored, since a past round
 * would let anyone decrypt the weights at once.
 */
export function revealRound(input: {
  nowMs: number;
  currentBlock: number;
  netuid: number;
  tempo: number;
  revealPeriodEpochs: number;
  lastStoredRound: bigint;
  beacon: Beacon;
  blockSeconds?: number;
}): { round: bigint; revealEpoch: number; firstRevealBlock: number } {
  const { nowMs, currentBlock, netuid, tempo, revealPeriodEpochs, lastStoredRound, beacon } = input;
  const blockSeconds = input.blockSeconds ?? DEFAULT_BLOCK_SECONDS;
  if (!Number.isFinite(nowMs)) throw new TimelockError('now is not a finite time');
  assertNonNegativeInteger('revealPeriodEpochs', revealPeriodEpochs);
  if (!(Number.isFinite(blockSeconds) && blockSeconds > 0)) {
    throw new TimelockError('block time must be a positive number of seconds');
  }
  if (!(Number.isInteger(beacon.period) && beacon.period > 0)) {
    throw new TimelockError('beacon period must be a positive whole number of seconds');
  }
  if (!Number.isInteger(beacon.genesisTime)) {
    throw new TimelockError('beacon genesis time must be a whole number of seconds');
  }
  if (lastStoredRound < 0n) throw new TimelockError('last stored round is negative');

  const revealEpoch = epochIndex(currentBlock, netuid, tempo) + revealPeriodEpochs;
  const firstRevealBlock = firstBlockOfEpoch(revealEpoch, netuid, tempo);
  const nowS = Math.floor(nowMs / 1000);
  const revealTime = nowS + (firstRevealBlock + REVEAL_MARGIN_BLOCKS - currentBlock) * blockSeconds;
  const byClock = BigInt(Math.floor((revealTime - beacon.genesisTime) / beacon.period));
  const round = byClock > lastStoredRound ? byClock : lastStoredRound + 1n;
  return { round, revealEpoch, firstRevealBlock };
}

function assertNonNegativeInteger(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new TimelockError(`${what} must be a non-negative integer`);
  }
}
