import { u8aToHex, stringToU8a, u8aConcat, bnToU8a } from '@polkadot/util';
import { blake2AsU8a, decodeAddress, encodeAddress, xxhashAsU8a } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subtensorCalls } from '../../devnet/src/metadata/build';
import { runtimeProfile } from '../../devnet/src/profiles';
import { setupSubnet, startTestChain, type TestChain } from '../support/devnet';

const NETUID = 401;
let chain: TestChain;
let miners: Awaited<ReturnType<typeof setupSubnet>>;

beforeAll(async () => {
  chain = await startTestChain();
  miners = await setupSubnet(chain, {
    netuid: NETUID,
    miners: 3,
    params: {
      tempo: 99,
      minAllowedWeights: 2,
      maxWeightsLimit: 40000,
      weightsVersionKey: 3,
      revealPeriodEpochs: 2,
    },
  });
});
afterAll(() => chain.stop());

const q = () => chain.api.query.subtensorModule;

describe('connecting', () => {
  it('reports a subtensor runtime, SS58 42 and TAO with 9 decimals', async () => {
    const { api } = chain;
    expect(api.runtimeVersion.specName.toString()).toBe('node-subtensor');
    expect(api.registry.chainSS58).toBe(42);
    expect(api.registry.chainDecimals).toEqual([9]);
    expect(api.registry.chainTokens).toEqual(['TAO']);
    expect(api.genesisHash.toHex()).toBe((await api.rpc.chain.getBlockHash(0)).toHex());
  });

  it('builds set_weights call data with the real pallet and call indices and argument layout', () => {
    const call = chain.api.tx.subtensorModule
      .setWeights(NETUID, [1, 2], [100, 200], 7)
      .method.toU8a();
    // pallet 7, call 0, netuid u16 LE, Vec<u16> uids, Vec<u16> weights, version_key u64 LE
    expect(u8aToHex(call)).toBe(
      '0x0700' + '9101' + '08' + '0100' + '0200' + '08' + '6400' + 'c800' + '0700000000000000',
    );
    const indices = Object.fromEntries(
      Object.keys(subtensorCalls(runtimeProfile('current'))).map((name) => {
        const fn =
          chain.api.tx.subtensorModule[name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())];
        return [name, fn.callIndex[1]];
      }),
    );
    expect(indices).toEqual({
      set_weights: 0,
      commit_weights: 96,
      reveal_weights: 97,
      commit_timelocked_weights: 113,
      // Subnet mechanisms (docs/mechanisms.md).
      commit_mechanism_weights: 115,
      reveal_mechanism_weights: 116,
      commit_timelocked_mechanism_weights: 118,
      set_mechanism_weights: 119,
    });
    expect(chain.api.tx.subtensorModule.setWeights.callIndex[0]).toBe(7);
  });
});

describe('storage items of the weight-setting subset', () => {
  it('keys them with the real hashers', () => {
    const twox = (text: string) => xxhashAsU8a(stringToU8a(text), 128);
    const alice = decodeAddress(chain.alice.address);
    const uidsKey = u8aConcat(
      twox('SubtensorModule'),
      twox('Uids'),
      bnToU8a(NETUID, { bitLength: 16 }), // Identity
      blake2AsU8a(alice, 128), // Blake2_128Concat
      alice,
    );
    expect(q().uids.key(NETUID, chain.alice.address)).toBe(u8aToHex(uidsKey));
    const revealKey = u8aConcat(
      twox('SubtensorModule'),
      twox('RevealPeriodEpochs'),
      xxhashAsU8a(bnToU8a(NETUID, { bitLength: 16 }), 64), // Twox64Concat
      bnToU8a(NETUID, { bitLength: 16 }),
    );
    expect(q().revealPeriodEpochs.key(NETUID)).toBe(u8aToHex(revealKey));
  });

  it('reads every item of the table', async () => {
    const json = async (promise: Promise<{ toJSON(): unknown }>) => (await promise).toJSON();
    expect(await json(q().uids(NETUID, miners[1].address))).toBe(2);
    expect(await json(q().uids(NETUID, chain.keyring.addFromUri('//Nobody').address))).toBeNull();
    expect(await json(q().keys(NETUID, 3))).toBe(miners[2].address);
    expect(await json(q().subnetworkN(NETUID))).toBe(4);
    expect(await json(q().weightsSetRateLimit(NETUID))).toBe(10);
    // Registered in block 1 (the first block after setupSubnet's controls), as the runtime records it.
    expect(await json(q().lastUpdate(NETUID))).toEqual([1, 1, 1, 1]);
    expect(await json(q().weightsVersionKey(NETUID))).toBe(3);
    expect(await json(q().minAllowedWeights(NETUID))).toBe(2);
    expect(await json(q().maxWeightsLimit(NETUID))).toBe(40000);
    expect(await json(q().commitRevealWeightsEnabled(NETUID))).toBe(false);
    expect(await json(q().revealPeriodEpochs(NETUID))).toBe(2);
    expect(await json(q().tempo(NETUID))).toBe(99);
    expect(await json(q().validatorPermit(NETUID))).toEqual([true, false, false, false]);
    expect(await json(q().stakeThreshold())).toBe(0);
    expect(await json(q().weights(NETUID, 0))).toEqual([]);
    expect(await json(q().weightCommits(NETUID, chain.alice.address))).toBeNull();
    expect(await json(q().timelockedWeightCommits(NETUID, 0))).toEqual([]);
    expect(await json(q().commitRevealWeightsVersion())).toBe(4);
    expect(await json(q().mechanismCountCurrent(NETUID))).toBe(1);
    // Defaults of a subnet that does not exist, as the runtime declares them.
    expect(await json(q().weightsSetRateLimit(999))).toBe(100);
    expect(await json(q().maxWeightsLimit(999))).toBe(65535);
    expect(await json(q().commitRevealWeightsEnabled(999))).toBe(true);
    expect(await json(q().tempo(999))).toBe(360);
  });

  it('iterates maps: all hotkeys of a subnet from Keys, with their uids', async () => {
    const entries = await q().keys.entries(NETUID);
    const byUid = Object.fromEntries(
      entries.map(([key, value]) => [Number(key.args[1].toString()), value.toString()]),
    );
    expect(byUid).toEqual({
      0: chain.alice.address,
      1: miners[0].address,
      2: miners[1].address,
      3: miners[2].address,
    });
  });

  it('pages through more keys than one page holds', async () => {
    await chain.control('createSubnet', { netuid: 500, commitRevealWeightsEnabled: false });
    const hotkeys = Array.from({ length: 1100 }, (_, i) =>
      encodeAddress(blake2AsU8a(`bulk ${i}`), 42),
    );
    expect(await chain.control('registerNeurons', 500, hotkeys)).toMatchObject({
      uids: expect.any(Array),
    });
    await chain.advance();
    const keys = await q().keys.keys(500);
    expect(keys).toHaveLength(1100);
    expect(new Set(keys.map((k) => Number(k.args[1].toString()))).size).toBe(1100);
  });

  it('reads state at an older block', async () => {
    const before = await chain.api.rpc.chain.getBlockHash();
    await chain.control('registerNeuron', NETUID, chain.keyring.addFromUri('//Late').address);
    await chain.advance();
    const atBefore = await chain.api.at(before);
    expect((await atBefore.query.subtensorModule.subnetworkN(NETUID)).toJSON()).toBe(4);
    expect((await q().subnetworkN(NETUID)).toJSON()).toBe(5);
  });

  it('exposes the drand beacon and the chain clock', async () => {
    const config = (await chain.api.query.drand.beaconConfig()).toJSON() as {
      publicKey: string;
      period: number;
      genesisTime: number;
    };
    expect(config.publicKey).toMatch(/^0x[0-9a-f]{192}$/);
    expect(config).toMatchObject({ period: 3, genesisTime: 1692803367 });
    const now = Number((await chain.api.query.timestamp.now()).toString());
    const round = Number((await chain.api.query.drand.lastStoredRound()).toString());
    expect(round).toBe(Math.floor((Math.floor(now / 1000) - 1692803367) / 3) + 1);
    const pulse = (await chain.api.query.drand.pulses(round)).toJSON() as { signature: string };
    expect(pulse.signature).toMatch(/^0x[0-9a-f]{96}$/);
  });
});

describe('blocks and heads', () => {
  it('announces new and finalized heads, finality trailing by the configured lag', async () => {
    await chain.control('setFinalityLag', 2);
    const heads: number[] = [];
    const finalized: number[] = [];
    const stopHeads = await chain.api.rpc.chain.subscribeNewHeads((h) => {
      heads.push(h.number.toNumber());
    });
    const stopFinal = await chain.api.rpc.chain.subscribeFinalizedHeads((h) => {
      finalized.push(h.number.toNumber());
    });
    const start = (await chain.api.rpc.chain.getHeader()).number.toNumber();
    await chain.advance(3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    stopHeads();
    stopFinal();
    await chain.control('setFinalityLag', 0);
    expect(heads.at(-1)).toBe(start + 3);
    expect(finalized.at(-1)).toBe(start + 1);
    const hash = await chain.api.rpc.chain.getBlockHash(start + 3);
    const header = await chain.api.rpc.chain.getHeader(hash);
    expect(header.hash.toHex()).toBe(hash.toHex()); // the hash is blake2_256 of the SCALE header
  });
});
