// `omit`: metadata without chosen storage items, calls, constants or whole pallets, so that a
// test can check what a client does with a runtime that lacks them. The chain itself keeps
// working with them: only what it advertises changes.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Devnet } from '../../devnet/src/devnet';
import { buildMetadata } from '../../devnet/src/metadata/build';
import { runtimeProfile } from '../../devnet/src/profiles';
import { SUBTENSOR_SIGNED_EXTENSIONS } from '../../devnet/src/runtime';
import { setupSubnet, startTestChain, submit, type TestChain } from '../support/devnet';

const NETUID = 5;

/** Where an item shows in the api: query, tx or consts, by pallet and camelCase name. */
type Where = ['query' | 'tx' | 'consts', string, string?];

const CASES: Array<[string, Where]> = [
  ['SubtensorModule.Tempo', ['query', 'subtensorModule', 'tempo']],
  ['Timestamp.Now', ['query', 'timestamp', 'now']],
  ['Drand', ['query', 'drand']],
  ['SubtensorModule.commit_weights', ['tx', 'subtensorModule', 'commitWeights']],
  [
    'SubtensorModule.CommitRevealWeightsVersion',
    ['query', 'subtensorModule', 'commitRevealWeightsVersion'],
  ],
  ['Aura.SlotDuration', ['consts', 'aura', 'slotDuration']],
  ['Aura', ['consts', 'aura']],
];

function lookup(api: ApiPromise, [root, section, method]: Where): unknown {
  const pallet = (api[root] as unknown as Record<string, Record<string, unknown> | undefined>)[
    section
  ];
  return method === undefined ? pallet : pallet?.[method];
}

describe.each(CASES)('omit %s', (entry, where) => {
  let chain: TestChain;
  beforeAll(async () => {
    chain = await startTestChain({ omit: [entry] });
  });
  afterAll(() => chain.stop());

  it('leaves it out of the metadata, and only it', () => {
    expect(lookup(chain.api, where)).toBeUndefined();
    // The rest is still there.
    for (const [other, otherWhere] of CASES) {
      if (other === entry || other.startsWith(`${entry}.`) || entry.startsWith(`${other}.`))
        continue;
      expect(lookup(chain.api, otherWhere), other).toBeDefined();
    }
    expect(chain.api.tx.subtensorModule.setWeights).toBeDefined();
  });

  it('the chain works on: weights are set, blocks carry on', async () => {
    await setupSubnet(chain, { netuid: NETUID, miners: 2 });
    const outcome = await submit(
      chain,
      chain.api.tx.subtensorModule.setWeights(NETUID, [1, 2], [1, 1], 0),
      chain.alice,
    );
    expect(outcome.error).toBeUndefined();
    expect((await chain.api.query.subtensorModule.weights(NETUID, 0)).toJSON()).toEqual([
      [1, 65535],
      [2, 65535],
    ]);
  });
});

describe('omitted items keep working inside the chain', () => {
  let chain: TestChain;
  const OMIT = ['Timestamp.Now', 'SubtensorModule.Tempo', 'Drand'];
  beforeAll(async () => {
    chain = await startTestChain({ omit: OMIT });
    await setupSubnet(chain, {
      netuid: NETUID,
      miners: 2,
      params: { commitRevealWeightsEnabled: true, tempo: 9, weightsSetRateLimit: 0 },
    });
  });
  afterAll(() => chain.stop());

  /** state_getStorage of an item under the key the chain keeps it at (the api cannot build it). */
  const raw = async (section: string, method: string, ...keys: unknown[]) => {
    const provider = new WsProvider(chain.devnet.url);
    try {
      await provider.isReady;
      const key = chain.devnet.chain.runtime.storageKey(section, method, ...keys);
      return hexToU8a(await provider.send<string | null>('state_getStorage', [key]));
    } finally {
      await provider.disconnect();
    }
  };

  it('keeps their state under the real keys, advancing as before', async () => {
    const { runtime } = chain.devnet.chain;
    const before = runtime.registry.createType('u64', await raw('timestamp', 'now')).toNumber();
    await chain.advance(2);
    const after = runtime.registry.createType('u64', await raw('timestamp', 'now')).toNumber();
    expect(after - before).toBe(2 * chain.devnet.chain.blockTimeMs);
    expect(
      runtime.registry.createType('u16', await raw('subtensorModule', 'tempo', NETUID)).toNumber(),
    ).toBe(9);
    expect(u8aToHex(await raw('drand', 'lastStoredRound'))).toMatch(/^0x[0-9a-f]{16}$/);
  });

  it('epochs follow the omitted Tempo: a hash commit is revealed in the next epoch', async () => {
    const { api } = chain;
    const salt = [1, 2];
    const hash = api.registry
      .createType('(AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64)', [
        chain.alice.address,
        NETUID,
        [1],
        [1],
        salt,
        0,
      ])
      .hash.toHex();
    expect(
      (await submit(chain, api.tx.subtensorModule.commitWeights(NETUID, hash), chain.alice)).error,
    ).toBeUndefined();
    await chain.control('advanceToNextEpoch', NETUID);
    const revealed = await submit(
      chain,
      api.tx.subtensorModule.revealWeights(NETUID, [1], [1], salt, 0),
      chain.alice,
    );
    expect(revealed.error).toBeUndefined();
  });
});

describe('an omitted call cannot be submitted', () => {
  let devnet: Devnet;
  beforeAll(async () => {
    devnet = await Devnet.start({ omit: ['SubtensorModule.commit_weights'], finalityLag: 0 });
  });
  afterAll(() => devnet.stop());

  it('is refused at submission, as by a runtime that cannot decode it', async () => {
    // A client that still has metadata with the call (the profile's whole metadata).
    const whole = buildMetadata({ profile: runtimeProfile('current') }).hex;
    const { chain } = devnet;
    const key = `${chain.genesisHash}-${chain.runtime.version.specVersion}`;
    const api = await ApiPromise.create({
      provider: new WsProvider(devnet.url),
      signedExtensions: SUBTENSOR_SIGNED_EXTENSIONS,
      metadata: { [key]: whole },
      noInitWarn: true,
    });
    try {
      const { Keyring } = await import('@polkadot/api');
      const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
      devnet.controls.endowAccount(alice.address);
      devnet.controls.advanceBlocks(1);
      await expect(
        api.tx.subtensorModule.commitWeights(1, `0x${'11'.repeat(32)}`).signAndSend(alice),
      ).rejects.toThrow(/1002: Verification Error.*Could not decode/);
      // Calls the runtime has still go through.
      await expect(api.tx.system.remark('0x01').signAndSend(alice)).resolves.toBeDefined();
    } finally {
      await api.disconnect();
    }
  });
});

describe('omit entries that name nothing are errors', () => {
  it.each([
    ['SubtensorModule.Tempoo', /SubtensorModule has no storage item, call or constant "Tempoo"/],
    ['SubtensorModule.tempo', /no storage item, call or constant "tempo".*PascalCase/],
    ['SubtensorModule.commitWeights', /"commitWeights".*calls snake_case.*commit_weights/],
    ['Nope', /no pallet "Nope" in the "current" runtime profile.*SubtensorModule/],
    ['Nope.Thing', /no pallet "Nope"/],
  ])('%s', async (entry, message) => {
    await expect(Devnet.start({ omit: [entry] })).rejects.toThrow(message);
  });

  it('names the profile when the item is not in it', async () => {
    await expect(Devnet.start({ runtime: 'hash-commit-reveal', omit: ['Drand'] })).rejects.toThrow(
      'omit: no pallet "Drand" in the "hash-commit-reveal" runtime profile',
    );
    await expect(
      Devnet.start({
        runtime: 'hash-commit-reveal',
        omit: ['SubtensorModule.commit_timelocked_weights'],
      }),
    ).rejects.toThrow('"commit_timelocked_weights"');
  });

  it('hash-commit-reveal has its own items to omit', async () => {
    const devnet = await Devnet.start({
      runtime: 'hash-commit-reveal',
      omit: ['SubtensorModule.batch_reveal_weights', 'SubtensorModule.WeightsMinStake'],
    });
    await devnet.stop();
  });
});
