// A pruning node's state window: state queries at blocks older than `best - window` fail as a
// Substrate node that discarded that state answers (4003, "Client error: UnknownBlock: State
// already discarded for 0x…"), headers and bodies stay; and what a restart of devnet keeps.
import { WsProvider } from '@polkadot/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Devnet } from '../../devnet/src/devnet';
import { setupSubnet, startTestChain, submit, type TestChain } from '../support/devnet';

const NETUID = 31;
const WINDOW = 4;
let chain: TestChain;
let provider: WsProvider;
/** The block that holds a set_weights of //Alice, and its number. */
let landed: { hash: string; number: number };

const discarded = (hash: string) =>
  new RegExp(`^4003: Client error: UnknownBlock: State already discarded for ${hash}$`);

beforeAll(async () => {
  chain = await startTestChain({ stateWindow: WINDOW });
  await setupSubnet(chain, { netuid: NETUID, miners: 2, params: { weightsSetRateLimit: 0 } });
  const outcome = await submit(
    chain,
    chain.api.tx.subtensorModule.setWeights(NETUID, [1, 2], [1, 1], 0),
    chain.alice,
  );
  landed = {
    hash: outcome.blockHash,
    number: (await chain.api.rpc.chain.getHeader(outcome.blockHash)).number.toNumber(),
  };
  provider = new WsProvider(chain.devnet.url, 200);
  await provider.isReady;
});
afterAll(async () => {
  await provider?.disconnect();
  await chain?.stop();
});

describe('state window', () => {
  it('keeps state for the last `window` blocks: events read at the block while it is recent', async () => {
    await chain.advance(WINDOW); // landed is now exactly best - WINDOW: still kept
    const at = await chain.api.at(landed.hash);
    const events = (await at.query.system.events()).map(
      ({ event }) => `${event.section}.${event.method}`,
    );
    expect(events).toContain('system.ExtrinsicSuccess');
  });

  it('past the window, every state query at the block fails as on a pruned node', async () => {
    await chain.advance(1);
    const { hash } = landed;
    const eventsKey = chain.devnet.chain.runtime.storageKey('system', 'events');
    const calls: Array<[string, unknown[]]> = [
      ['state_getStorage', [eventsKey, hash]],
      ['state_getStorageAt', [eventsKey, hash]],
      ['state_getStorageHash', [eventsKey, hash]],
      ['state_getStorageSize', [eventsKey, hash]],
      ['state_queryStorageAt', [[eventsKey], hash]],
      ['state_getKeysPaged', ['0x', 10, null, hash]],
      ['state_getMetadata', [hash]],
      ['state_getRuntimeVersion', [hash]],
      ['chain_getRuntimeVersion', [hash]],
      ['state_call', ['Core_version', '0x', hash]],
    ];
    for (const [method, params] of calls) {
      await expect(provider.send(method, params), method).rejects.toThrow(discarded(hash));
    }
  });

  it('api.at(hash).query.system.events() fails with the node error', async () => {
    // A fresh api: nothing cached about the old block.
    const { ApiPromise } = await import('@polkadot/api');
    const { SUBTENSOR_SIGNED_EXTENSIONS } = await import('../../functions/src/chain/connection');
    const api = await ApiPromise.create({
      provider: new WsProvider(chain.devnet.url, 200),
      signedExtensions: SUBTENSOR_SIGNED_EXTENSIONS,
      noInitWarn: true,
    });
    try {
      await expect(
        (async () => (await api.at(landed.hash)).query.system.events())(),
      ).rejects.toThrow(
        /4003: Client error: UnknownBlock: State already discarded for 0x[0-9a-f]{64}/,
      );
    } finally {
      await api.disconnect();
    }
  });

  it('headers, bodies and block hashes of pruned blocks stay available', async () => {
    expect(await provider.send('chain_getBlockHash', [landed.number])).toBe(landed.hash);
    const header = (await provider.send('chain_getHeader', [landed.hash])) as { number: string };
    expect(Number(header.number)).toBe(landed.number);
    const { block } = (await provider.send('chain_getBlock', [landed.hash])) as {
      block: { extrinsics: string[] };
    };
    expect(block.extrinsics).toHaveLength(1);
    // The genesis block too, and the best block's state always.
    expect(await provider.send('chain_getHeader', [chain.devnet.chain.genesisHash])).toBeTruthy();
    await expect(
      provider.send('state_getRuntimeVersion', [chain.devnet.chain.genesisHash]),
    ).rejects.toThrow(discarded(chain.devnet.chain.genesisHash));
    expect(await provider.send('state_getRuntimeVersion', [])).toMatchObject({
      specName: expect.any(String),
    });
  });

  it('devnet_setStateWindow widens, narrows and removes the window', async () => {
    expect(await chain.control('setStateWindow', 100)).toEqual({ stateWindow: 100 });
    expect(await provider.send('state_getRuntimeVersion', [landed.hash])).toBeTruthy();
    await chain.control('setStateWindow', 0);
    const best = (await chain.api.rpc.chain.getHeader()).hash.toHex();
    const parent = (await chain.api.rpc.chain.getHeader()).parentHash.toHex();
    expect(await provider.send('state_getRuntimeVersion', [best])).toBeTruthy();
    await expect(provider.send('state_getRuntimeVersion', [parent])).rejects.toThrow(
      discarded(parent),
    );
    expect(await chain.control('setStateWindow', null)).toEqual({ stateWindow: null });
    expect(await provider.send('state_getRuntimeVersion', [parent])).toBeTruthy();
    await expect(chain.control('setStateWindow', -1)).rejects.toThrow(/whole number/);
  });

  it('has no window by default (states of the last 512 blocks are kept)', async () => {
    const plain = await Devnet.start({ finalityLag: 0 });
    try {
      const first = plain.chain.produceBlock();
      plain.controls.advanceBlocks(300);
      expect(plain.chain.stateWindow).toBeNull();
      expect(plain.chain.stateAt(first.hash)).toBeDefined();
    } finally {
      await plain.stop();
    }
  });
});

describe('a restart of devnet (a chain reset)', () => {
  it('keeps the genesis hash (same spec) and changes the hashes of later blocks', async () => {
    const hashes = async () => {
      const devnet = await Devnet.start({ finalityLag: 0, blockTimeMs: 1000 });
      try {
        devnet.controls.advanceBlocks(3);
        return [0, 1, 2, 3].map((n) => devnet.chain.block(n)?.hash);
      } finally {
        await devnet.stop();
      }
    };
    const before = await hashes();
    // Another chain clock (the genesis timestamp is the wall time at start): other Aura slots.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const after = await hashes();
    expect(after[0]).toBe(before[0]);
    for (const n of [1, 2, 3]) expect(after[n]).not.toBe(before[n]);
  });
});
