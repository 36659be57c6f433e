import { TypeRegistry } from '@polkadot/types';
import { hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { describe, expect, it } from 'vitest';
import {
  QUICKNET,
  TimelockError,
  decryptWithSignature,
  encodeWeightsPayload,
  encryptToRound,
  epochIndex,
  firstBlockOfEpoch,
  revealRound,
  roundIdentity,
  type Beacon,
} from '../../functions/src/chain/timelock';

const registry = new TypeRegistry();

// Alice's sr25519 public key (Substrate's public development key).
const ALICE = hexToU8a('0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d');

// Public drand data: quicknet's signature for round 1000.
const ROUND_1000_SIGNATURE = hexToU8a(
  '0xb44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39',
);

const bytes = (...b: number[]) => Uint8Array.from(b);

function readU64LE(buf: Uint8Array, at: number): number {
  return Number(new DataView(buf.buffer, buf.byteOffset + at, 8).getBigUint64(0, true));
}

/** Splits what follows U (96 bytes) into its 8-byte-LE length-prefixed sections. */
function sections(ciphertext: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 96;
  while (at < ciphertext.length) {
    const length = readU64LE(ciphertext, at);
    out.push(ciphertext.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  expect(at).toBe(ciphertext.length);
  return out;
}

describe('roundIdentity', () => {
  it('is sha256 of the round as a u64 big-endian', () => {
    // sha256(00 00 00 00 00 00 03 e8) and sha256(eight zero bytes).
    expect(u8aToHex(roundIdentity(1000n))).toBe(
      '0xf652498d092acd949bad74e40683bf3824fb817980504a0c7e6722cfc5a9c0a3',
    );
    expect(u8aToHex(roundIdentity(0n))).toBe(
      '0xaf5570f5a1810b7af78caf4bc70a660f0df51e42baf91d4de5b2328de0e83dfc',
    );
  });

  it('refuses rounds outside u64', () => {
    expect(() => roundIdentity(-1n)).toThrow(TimelockError);
    expect(() => roundIdentity(1n << 64n)).toThrow(TimelockError);
  });
});

describe('encodeWeightsPayload', () => {
  it('is SCALE of (Vec<u8> hotkey, Vec<u16> uids, Vec<u16> values, u64 version_key)', () => {
    const encoded = encodeWeightsPayload(
      registry,
      ALICE,
      [0, 1, 65535],
      [65535, 0, 258],
      0x0102030405060708n,
    );
    const expected = u8aConcat(
      bytes(0x80), // compact(32)
      ALICE,
      bytes(0x0c, 0x00, 0x00, 0x01, 0x00, 0xff, 0xff), // compact(3), 0, 1, 65535
      bytes(0x0c, 0xff, 0xff, 0x00, 0x00, 0x02, 0x01), // compact(3), 65535, 0, 258
      bytes(0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01), // u64 little-endian
    );
    expect(u8aToHex(encoded)).toBe(u8aToHex(expected));
  });

  it('uses the two-byte compact length from 64 entries, and encodes empty lists', () => {
    const uids = Array.from({ length: 64 }, (_, i) => i);
    const values = uids.map(() => 1);
    const encoded = encodeWeightsPayload(registry, ALICE, uids, values, 0n);
    const expected = u8aConcat(
      bytes(0x80),
      ALICE,
      bytes(0x01, 0x01), // compact(64) = (64 << 2) | 0b01, little-endian
      ...uids.map((uid) => bytes(uid, 0x00)),
      bytes(0x01, 0x01),
      ...values.map(() => bytes(0x01, 0x00)),
      new Uint8Array(8),
    );
    expect(u8aToHex(encoded)).toBe(u8aToHex(expected));

    expect(u8aToHex(encodeWeightsPayload(registry, ALICE, [], [], (1n << 64n) - 1n))).toBe(
      u8aToHex(u8aConcat(bytes(0x80), ALICE, bytes(0x00, 0x00), new Uint8Array(8).fill(0xff))),
    );
  });

  it('refuses what the chain could not take', () => {
    expect(() => encodeWeightsPayload(registry, ALICE.subarray(1), [0], [1], 0n)).toThrow(
      /32 bytes/,
    );
    expect(() => encodeWeightsPayload(registry, ALICE, [0, 1], [1], 0n)).toThrow(/2 uids but 1/);
    expect(() => encodeWeightsPayload(registry, ALICE, [65536], [1], 0n)).toThrow(/uid at index 0/);
    expect(() => encodeWeightsPayload(registry, ALICE, [0], [1.5], 0n)).toThrow(/weight value/);
    expect(() => encodeWeightsPayload(registry, ALICE, [0], [-1], 0n)).toThrow(/weight value/);
    expect(() => encodeWeightsPayload(registry, ALICE, [0], [1], 1n << 64n)).toThrow(/u64/);
  });
});

describe('timelock encryption', () => {
  const payload = encodeWeightsPayload(registry, ALICE, [0, 7, 42], [1000, 65535, 0], 4n);

  it('encrypts to quicknet round 1000, and its real signature decrypts it', async () => {
    const ciphertext = await encryptToRound(payload, 1000n, QUICKNET);
    expect(u8aToHex(await decryptWithSignature(ciphertext, ROUND_1000_SIGNATURE))).toBe(
      u8aToHex(payload),
    );
  });

  it('is in the layout the chain reads: U | v | w | body | "AES_GCM_"', async () => {
    const ciphertext = await encryptToRound(payload, 1000n, QUICKNET);
    expect(ciphertext.length).toBe(244 + payload.length);
    const [v, w, body, suite, ...rest] = sections(ciphertext);
    expect(rest).toEqual([]);
    expect(v).toHaveLength(32);
    expect(w).toHaveLength(32);
    // body: the AES-GCM output (plaintext + 16-byte tag) and the 12-byte nonce, each prefixed.
    expect(body).toHaveLength(payload.length + 44);
    expect(readU64LE(body, 0)).toBe(payload.length + 16);
    expect(readU64LE(body, 8 + payload.length + 16)).toBe(12);
    expect(new TextDecoder().decode(suite)).toBe('AES_GCM_');
    expect(u8aToHex(ciphertext.subarray(-16))).toBe(
      u8aToHex(u8aConcat(bytes(8, 0, 0, 0, 0, 0, 0, 0), new TextEncoder().encode('AES_GCM_'))),
    );
  });

  it("does not decrypt with another round's signature", async () => {
    const ciphertext = await encryptToRound(payload, 1001n, QUICKNET);
    const failure = decryptWithSignature(ciphertext, ROUND_1000_SIGNATURE);
    await expect(failure).rejects.toThrow(TimelockError);
    // The error names the failure only: neither the signature nor the ciphertext.
    const message = await failure.catch((err: unknown) => String(err));
    expect(message).not.toContain(u8aToHex(ROUND_1000_SIGNATURE).slice(2, 18));
    expect(message).not.toContain(u8aToHex(ciphertext).slice(2, 18));
  });

  it('uses fresh randomness for every encryption', async () => {
    const first = await encryptToRound(payload, 1000n, QUICKNET);
    const second = await encryptToRound(payload, 1000n, QUICKNET);
    expect(u8aToHex(first)).not.toBe(u8aToHex(second));
    expect(u8aToHex(first.subarray(0, 96))).not.toBe(u8aToHex(second.subarray(0, 96)));
    expect(u8aToHex(await decryptWithSignature(second, ROUND_1000_SIGNATURE))).toBe(
      u8aToHex(payload),
    );
  });

  it('refuses keys and signatures of the wrong size', async () => {
    const badBeacon: Beacon = { ...QUICKNET, publicKey: QUICKNET.publicKey.subarray(0, 48) };
    await expect(encryptToRound(payload, 1000n, badBeacon)).rejects.toThrow(/96 bytes/);
    const ciphertext = await encryptToRound(payload, 1000n, QUICKNET);
    await expect(
      decryptWithSignature(ciphertext, ROUND_1000_SIGNATURE.subarray(1)),
    ).rejects.toThrow(/48 bytes/);
    await expect(
      decryptWithSignature(ciphertext.subarray(0, 200), ROUND_1000_SIGNATURE),
    ).rejects.toThrow(/too short/);
  });
});

describe('epochIndex and firstBlockOfEpoch', () => {
  it.each([
    // [block, netuid, tempo, epoch]: floor((block + netuid + 1) / (tempo + 1))
    [0, 0, 360, 0],
    [359, 0, 360, 0], // 360 / 361
    [360, 0, 360, 1], // 361 / 361
    [5_000_208, 1, 360, 13_850], // 5_000_210 / 361 = 13_850.99…
    [5_000_209, 1, 360, 13_851], // 5_000_211 / 361 = 13_851
    [4, 5, 10, 0], // 10 / 11
    [5, 5, 10, 1], // 11 / 11
  ])('block %i of netuid %i, tempo %i: epoch %i', (block, netuid, tempo, epoch) => {
    expect(epochIndex(block, netuid, tempo)).toBe(epoch);
  });

  it.each([
    // [epoch, netuid, tempo, first block]: epoch·(tempo + 1) − (netuid + 1), not below 0
    [0, 5, 10, 0], // −6 → 0
    [1, 5, 10, 5], // 11 − 6
    [2, 5, 10, 16], // 22 − 6
    [1, 0, 360, 360], // 361 − 1
    [13_851, 1, 360, 5_000_209], // 5_000_211 − 2
  ])('epoch %i of netuid %i, tempo %i starts at block %i', (epoch, netuid, tempo, first) => {
    expect(firstBlockOfEpoch(epoch, netuid, tempo)).toBe(first);
  });

  it('are consistent: the first block is in its epoch, the block before in the previous one', () => {
    for (const [netuid, tempo] of [
      [0, 360],
      [1, 360],
      [5, 10],
      [64, 99],
    ]) {
      for (let epoch = 1; epoch < 50; epoch++) {
        const first = firstBlockOfEpoch(epoch, netuid, tempo);
        expect(epochIndex(first, netuid, tempo)).toBe(epoch);
        if (first > 0) expect(epochIndex(first - 1, netuid, tempo)).toBe(epoch - 1);
      }
    }
  });

  it('refuses negative or fractional inputs', () => {
    expect(() => epochIndex(-1, 1, 360)).toThrow(TimelockError);
    expect(() => epochIndex(1.5, 1, 360)).toThrow(TimelockError);
    expect(() => firstBlockOfEpoch(1, -1, 360)).toThrow(TimelockError);
  });
});

describe('revealRound', () => {
  // Quicknet: genesis 1_692_803_367, period 3 s. Round = floor((now_s + (first reveal block + 3 −
  // current block) × 12 − genesis) / 3), at least lastStoredRound + 1.
  it.each([
    {
      name: 'mid-epoch, netuid 1',
      // epoch floor(5_000_002 / 361) = 13_850 → reveal 13_851, first block 5_000_209;
      // 212 blocks → 2_544 s; (1_700_002_544 − 1_692_803_367) / 3 = 2_399_725.67
      nowMs: 1_700_000_000_500,
      currentBlock: 5_000_000,
      netuid: 1,
      tempo: 360,
      revealPeriodEpochs: 1,
      lastStoredRound: 2_398_000n,
      expected: { round: 2_399_725n, revealEpoch: 13_851, firstRevealBlock: 5_000_209 },
    },
    {
      name: 'on the first block of an epoch (now_s rounds down)',
      // epoch 5_000_211 / 361 = 13_851 → reveal 13_852, first block 5_000_570;
      // 364 blocks → 4_368 s; (1_700_004_368 − 1_692_803_367) / 3 = 2_400_333.67
      nowMs: 1_700_000_000_999,
      currentBlock: 5_000_209,
      netuid: 1,
      tempo: 360,
      revealPeriodEpochs: 1,
      lastStoredRound: 0n,
      expected: { round: 2_400_333n, revealEpoch: 13_852, firstRevealBlock: 5_000_570 },
    },
    {
      name: 'on the last block of an epoch',
      // epoch 13_850 → reveal 13_851 at 5_000_209; 4 blocks → 48 s;
      // (1_700_000_048 − 1_692_803_367) / 3 = 2_398_893.67
      nowMs: 1_700_000_000_000,
      currentBlock: 5_000_208,
      netuid: 1,
      tempo: 360,
      revealPeriodEpochs: 1,
      lastStoredRound: 0n,
      expected: { round: 2_398_893n, revealEpoch: 13_851, firstRevealBlock: 5_000_209 },
    },
    {
      name: 'two reveal epochs, netuid offset larger than the block',
      // epoch floor(9 / 11) = 0 → reveal 2, first block 22 − 6 = 16; 16 blocks → 192 s;
      // (1_700_000_192 − 1_692_803_367) / 3 = 2_398_941.67
      nowMs: 1_700_000_000_000,
      currentBlock: 3,
      netuid: 5,
      tempo: 10,
      revealPeriodEpochs: 2,
      lastStoredRound: 0n,
      expected: { round: 2_398_941n, revealEpoch: 2, firstRevealBlock: 16 },
    },
    {
      name: 'netuid 0, three reveal epochs',
      // epoch 6_000_001 / 100 = 60_000 → reveal 60_003, first block 6_000_299; 302 blocks →
      // 3_624 s; (1_750_003_624 − 1_692_803_367) / 3 = 19_066_752.33
      nowMs: 1_750_000_000_000,
      currentBlock: 6_000_000,
      netuid: 0,
      tempo: 99,
      revealPeriodEpochs: 3,
      lastStoredRound: 19_066_751n,
      expected: { round: 19_066_752n, revealEpoch: 60_003, firstRevealBlock: 6_000_299 },
    },
    {
      name: 'the clock gives the last stored round: one past it',
      nowMs: 1_750_000_000_000,
      currentBlock: 6_000_000,
      netuid: 0,
      tempo: 99,
      revealPeriodEpochs: 3,
      lastStoredRound: 19_066_752n,
      expected: { round: 19_066_753n, revealEpoch: 60_003, firstRevealBlock: 6_000_299 },
    },
    {
      name: 'the clock is behind the chain: one past the last stored round',
      nowMs: 1_750_000_000_000,
      currentBlock: 6_000_000,
      netuid: 0,
      tempo: 99,
      revealPeriodEpochs: 3,
      lastStoredRound: 20_000_000n,
      expected: { round: 20_000_001n, revealEpoch: 60_003, firstRevealBlock: 6_000_299 },
    },
  ])('$name', ({ expected, ...input }) => {
    expect(revealRound({ ...input, beacon: QUICKNET })).toEqual(expected);
  });

  it("uses the beacon's genesis and period, and the block time given", () => {
    // epoch floor(103 / 10) = 10 → reveal 11, first block 110 − 3 = 107; 10 blocks × 0.25 s =
    // 2.5 s after genesis; period 1 → round 2.
    const beacon: Beacon = { ...QUICKNET, genesisTime: 1_700_000_000, period: 1 };
    expect(
      revealRound({
        nowMs: 1_700_000_000_000,
        currentBlock: 100,
        netuid: 2,
        tempo: 9,
        revealPeriodEpochs: 1,
        lastStoredRound: 0n,
        beacon,
        blockSeconds: 0.25,
      }),
    ).toEqual({ round: 2n, revealEpoch: 11, firstRevealBlock: 107 });
  });

  it('refuses inputs it cannot compute with', () => {
    const input = {
      nowMs: 1_700_000_000_000,
      currentBlock: 100,
      netuid: 2,
      tempo: 9,
      revealPeriodEpochs: 1,
      lastStoredRound: 0n,
      beacon: QUICKNET,
    };
    expect(() => revealRound({ ...input, nowMs: Number.NaN })).toThrow(TimelockError);
    expect(() => revealRound({ ...input, blockSeconds: 0 })).toThrow(TimelockError);
    expect(() => revealRound({ ...input, revealPeriodEpochs: -1 })).toThrow(TimelockError);
    expect(() => revealRound({ ...input, beacon: { ...QUICKNET, period: 0 } })).toThrow(
      TimelockError,
    );
  });
});
