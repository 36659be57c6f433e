/**
 * The devnet's own drand-like beacon. It follows drand quicknet's scheme (bls-unchained-g1-rfc9380:
 * public key on G2, round signatures on G1 over sha256(round as u64 big-endian)), genesis and period,
 * but with a key of its own, so that it can produce the signature of any round and decrypt
 * timelocked commits as the real chain does once drand has published that round. Its public key is
 * in Drand.BeaconConfig, where a client reads the key to encrypt to.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { u8aToHex } from '@polkadot/util';
import type { State } from '../state';

export const QUICKNET = { genesisTime: 1692803367, period: 3 } as const;
const DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';
const SCHEME = 'bls-unchained-g1-rfc9380';

type Bls = (typeof import('@noble/curves/bls12-381.js', {
  with: { 'resolution-mode': 'import' },
}))['bls12_381']['shortSignatures'];
type Timelock = typeof import('@ideallabs/timelock_wasm_wrapper', {
  with: { 'resolution-mode': 'import' },
});

/** sha256 of the round as u64 big-endian: the identity a round's ciphertexts are encrypted to. */
export function roundIdentity(round: bigint): Uint8Array {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(round);
  return createHash('sha256').update(bytes).digest();
}

export class Beacon {
  private constructor(
    private readonly bls: Bls,
    private readonly timelock: Timelock,
    private readonly secretKey: Uint8Array,
    readonly publicKey: Uint8Array,
  ) {}

  /** A beacon whose key derives from `seed`, so restarts keep the same public key. */
  static async create(seed = 'lead-weights devnet beacon'): Promise<Beacon> {
    const { bls12_381 } = await import('@noble/curves/bls12-381.js');
    const timelock = await import('@ideallabs/timelock_wasm_wrapper');
    timelock.initSync({
      module: readFileSync(
        require.resolve('@ideallabs/timelock_wasm_wrapper/timelock_wasm_wrapper_bg.wasm'),
      ),
    });
    const bls = bls12_381.shortSignatures;
    // keygen wants 48 bytes of seed: sha512 of the seed text, cut to 48.
    const { secretKey } = bls.keygen(createHash('sha512').update(seed).digest().subarray(0, 48));
    return new Beacon(bls, timelock, secretKey, bls.getPublicKey(secretKey).toBytes(true));
  }

  /** The latest round published at `timeMs` (0 before genesis). */
  roundAt(timeMs: number): bigint {
    const elapsed = Math.floor(timeMs / 1000) - QUICKNET.genesisTime;
    return elapsed < 0 ? 0n : BigInt(Math.floor(elapsed / QUICKNET.period) + 1);
  }

  signature(round: bigint): Uint8Array {
    return this.bls.sign(this.bls.hash(roundIdentity(round), DST), this.secretKey).toBytes(true);
  }

  /** Opens a timelocked ciphertext (the chain's layout) with the signature of its round. */
  decrypt(ciphertext: Uint8Array, round: bigint): Uint8Array {
    return Uint8Array.from(this.timelock.tld(ciphertext, this.signature(round), 'bls12_381'));
  }

  /** Drand.BeaconConfig, as the pallet stores it. */
  writeConfig(state: State): void {
    state.set('drand', 'beaconConfig', [], {
      publicKey: u8aToHex(this.publicKey),
      period: QUICKNET.period,
      genesisTime: QUICKNET.genesisTime,
      hash: u8aToHex(createHash('sha256').update(this.publicKey).digest()),
      groupHash: u8aToHex(createHash('sha256').update('devnet').digest()),
      schemeId: u8aToHex(Buffer.from(SCHEME)),
      metadata: { beaconId: u8aToHex(Buffer.from('devnet')) },
    });
  }

  /** Stores the pulse of `round` (Drand.Pulses) and moves LastStoredRound forward to it. */
  storePulse(state: State, round: bigint): void {
    const signature = this.signature(round);
    state.set('drand', 'pulses', [round], {
      round,
      randomness: u8aToHex(createHash('sha256').update(signature).digest()),
      signature: u8aToHex(signature),
    });
    const last = BigInt(state.value('drand', 'lastStoredRound').toString());
    if (round > last) state.set('drand', 'lastStoredRound', [], round);
  }
}
