// Hotkeys in leads are miners' values: decoded only when short and base58, SS58 only (issue 12,
// findings 1 and 4), and the validator's own left out of the shares unless allowed (finding 4).
import { u8aToHex } from '@polkadot/util';
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { describe, expect, it } from 'vitest';
import { canonicalHotkey, withoutValidatorHotkey } from '../../functions/src/leads/hotkey';

// //Alice, Substrate's public development key.
const alice = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';

describe('canonicalHotkey on hostile values', () => {
  it('costs microseconds whatever the length', () => {
    for (const value of ['z'.repeat(100_000), `${alice}${'z'.repeat(30_000)}`, ' '.repeat(1e6)]) {
      const started = performance.now();
      expect(canonicalHotkey(value)).toBeUndefined();
      // A ceiling for the algorithm, not the machine: decoding 100 KB took 47 s, 30 KB 3.7 s;
      // the length check takes microseconds, so a loaded machine stays far below it.
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });

  it('reads SS58 only: not a 0x public key, not other alphabets', () => {
    const publicKey = u8aToHex(decodeAddress(alice));
    expect(canonicalHotkey(publicKey)).toBeUndefined();
    expect(canonicalHotkey(`0x${'ab'.repeat(32)}`)).toBeUndefined();
    expect(canonicalHotkey(`${alice.slice(0, -1)}0`)).toBeUndefined();
    expect(canonicalHotkey(` ${alice}\n`)).toBe(alice);
    expect(canonicalHotkey(encodeAddress(decodeAddress(alice), 0))).toBe(alice);
  });
});

describe('withoutValidatorHotkey', () => {
  const validator = encodeAddress(new Uint8Array(32).fill(7), 42);
  const miner = encodeAddress(new Uint8Array(32).fill(8), 42);

  it("drops the validator's own share unless allowed, and says which", () => {
    const shares = { [validator]: 0.16, [miner]: 0.84 };
    expect(withoutValidatorHotkey(shares, validator, false)).toEqual({
      shares: { [miner]: 0.84 },
      excluded: { hotkey: validator, share: 0.16 },
    });
    expect(withoutValidatorHotkey(shares, validator, true)).toEqual({ shares });
    expect(withoutValidatorHotkey({ [miner]: 1 }, validator, false)).toEqual({
      shares: { [miner]: 1 },
    });
    // The signer's address in another prefix is the same key.
    const other = encodeAddress(new Uint8Array(32).fill(7), 0);
    expect(withoutValidatorHotkey(shares, other, false).excluded?.hotkey).toBe(validator);
  });
});
