// What a standard client sees on devnet (hash-commit-reveal profile) against the real spec-218
// runtime under chopsticks, for the same state: the SubtensorModule error enum, the RPC methods
// both serve, the runtime APIs' signatures in metadata V15, and each runtime API answer, which
// must decode to the same value (devnet/README.md, "What a standard client can do").
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Metadata, TypeRegistry } from '@polkadot/types';
import { compactAddLength, compactStripLength, hexToU8a, u8aToHex } from '@polkadot/util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Devnet } from '../../devnet/src/devnet';
import {
  NEURON_INFO_LITE_TYPE,
  SUBNET_HYPERPARAMS_TYPE,
  STAKE_INFO_TYPE,
  SUBNET_INFO_TYPE,
} from '../../devnet/src/runtime-apis';
import { SUBTENSOR_SIGNED_EXTENSIONS } from '../../devnet/src/runtime';
import { NETUID, startRealChain, type RealChain } from '../support/realchain';

let real: RealChain;
let devnet: Devnet;
let dev: ApiPromise;
let devProvider: WsProvider;

beforeAll(async () => {
  real = await startRealChain();
  devnet = await Devnet.start({ runtime: 'hash-commit-reveal', finalityLag: 0 });
  devProvider = new WsProvider(devnet.url);
  dev = await ApiPromise.create({
    provider: devProvider,
    signedExtensions: SUBTENSOR_SIGNED_EXTENSIONS,
    noInitWarn: true,
  });
}, 120_000);
afterAll(async () => {
  await dev?.disconnect();
  await devnet?.stop();
  await real?.stop();
});

const realSend = <T>(method: string, params: unknown[] = []) =>
  (real.api as unknown as { _rpcCore: { provider: WsProvider } })._rpcCore.provider.send<T>(
    method,
    params,
  );
const devSend = <T>(method: string, params: unknown[] = []) => devProvider.send<T>(method, params);

/** SubtensorModule's Error variants, [index, name], from an api's metadata. */
function errorEnum(api: ApiPromise): Array<[number, string]> {
  const pallet = api.registry.metadata.pallets.find((p) => p.name.toString() === 'SubtensorModule');
  const type = pallet?.errors.unwrap().type;
  if (type === undefined) throw new Error('no SubtensorModule errors');
  return api.registry.lookup
    .getSiType(type)
    .def.asVariant.variants.map((v) => [v.index.toNumber(), v.name.toString()]);
}

/** Metadata V15 through the Metadata runtime API, decoded. */
async function metadataV15(send: typeof devSend) {
  const answer = await send<string>('state_call', ['Metadata_metadata_at_version', '0x0f000000']);
  const registry = new TypeRegistry();
  const option = registry.createType('Option<OpaqueMetadata>', hexToU8a(answer));
  const metadata = new Metadata(registry, option.unwrap().toU8a(true));
  registry.setMetadata(metadata);
  return { v15: metadata.asV15, registry };
}

describe('errors', () => {
  it('the SubtensorModule error enum is the real one, dense: every index names the same error', () => {
    const realErrors = errorEnum(real.api);
    expect(realErrors.map(([index]) => index)).toEqual(realErrors.map((_, i) => i));
    expect(errorEnum(dev)).toEqual(realErrors);
  });
});

describe('RPC methods both serve', () => {
  it('chain_getHead is the best block hash on both; devnet also serves the node aliases', async () => {
    for (const send of [realSend, devSend]) {
      expect(await send('chain_getHead')).toBe(await send('chain_getBlockHash'));
    }
    const methods = (await devSend<{ methods: string[] }>('rpc_methods')).methods;
    for (const name of ['chain_getHead', 'account_nextIndex', 'state_callAt'])
      expect(methods).toContain(name);
    const who = real.keyring.addFromUri('//Nobody').address;
    // A fresh account's next index: the same on both, and the same through the alias.
    expect(await devSend('account_nextIndex', [who])).toBe(
      await devSend('system_accountNextIndex', [who]),
    );
    expect(await devSend('system_accountNextIndex', [who])).toBe(
      await realSend('system_accountNextIndex', [who]),
    );
  });

  it('state_getRuntimeVersion names the same runtime, and lists each API devnet serves at the real version', async () => {
    const realVersion = await realSend<{
      specName: string;
      specVersion: number;
      apis: Array<[string, number]>;
    }>('state_getRuntimeVersion');
    const devVersion = await devSend<typeof realVersion>('state_getRuntimeVersion');
    expect(devVersion.specName).toBe(realVersion.specName);
    expect(devVersion.specVersion).toBe(realVersion.specVersion);
    const realApis = new Map(realVersion.apis);
    for (const [id, version] of devVersion.apis) expect(realApis.get(id)).toBe(version);
  });
});

describe('metadata V15', () => {
  it('is served by both, and each runtime API devnet lists has the real signature', async () => {
    const [realMeta, devMeta] = await Promise.all([metadataV15(realSend), metadataV15(devSend)]);
    const signature = (meta: typeof realMeta, api: string, method: string) => {
      const found = meta.v15.apis
        .find((a) => a.name.toString() === api)
        ?.methods.find((m) => m.name.toString() === method);
      if (!found) return undefined;
      const type = (id: { toNumber(): number }) =>
        meta.registry.lookup.getTypeDef(id.toNumber()).type;
      return {
        inputs: found.inputs.map((input) => [input.name.toString(), type(input.type)]),
        output: type(found.output),
      };
    };
    const listed = devMeta.v15.apis.flatMap((a) =>
      a.methods.map((m) => [a.name.toString(), m.name.toString()] as const),
    );
    expect(listed.length).toBeGreaterThan(4);
    for (const [api, method] of listed)
      expect(signature(devMeta, api, method), `${api}.${method}`).toEqual(
        signature(realMeta, api, method),
      );
    // The outer enums a V15 client decodes errors and events with.
    expect(
      devMeta.registry.lookup.getTypeDef(devMeta.v15.outerEnums.errorType.toNumber()).lookupName,
    ).toBe('NodeSubtensorRuntimeRuntimeError');
  });
});

describe('runtime APIs, for the same state', () => {
  /** Copies raw values under the given keys (or their absence) from the real chain to devnet. */
  async function copyKeys(keys: string[]) {
    const pairs: Array<[string, string | null]> = [];
    for (const key of keys)
      pairs.push([key, await realSend<string | null>('state_getStorage', [key])]);
    devnet.controls.setStorageRaw(pairs);
    devnet.controls.advanceBlocks(1);
  }
  const realQuery = () =>
    real.api.query.subtensorModule as unknown as Record<
      string,
      { key(...args: unknown[]): string }
    >;
  const key = (item: string, ...args: unknown[]) => realQuery()[item].key(...args);

  /** Everything get_subnet_info and get_neuron(s)_lite read for `netuid`, copied to devnet. */
  async function copyNeurons(netuid: number) {
    const perSubnet = [
      'networksAdded',
      'rho',
      'kappa',
      'difficulty',
      'immunityPeriod',
      'maxAllowedValidators',
      'minAllowedWeights',
      'maxWeightsLimit',
      'scalingLawPower',
      'subnetworkN',
      'maxAllowedUids',
      'blocksSinceLastStep',
      'tempo',
      'networkModality',
      'emissionValues',
      'burn',
      'subnetOwner',
      'active',
      'rank',
      'trust',
      'consensus',
      'incentive',
      'dividends',
      'emission',
      'validatorTrust',
      'pruningScores',
      'lastUpdate',
      'validatorPermit',
    ];
    const n = Number((await real.api.query.subtensorModule.subnetworkN(netuid)).toString());
    const keys = perSubnet.map((item) => key(item, netuid));
    for (let uid = 0; uid < n; uid++) {
      const hotkey = (await real.api.query.subtensorModule.keys(netuid, uid)).toString();
      keys.push(
        key('keys', netuid, uid),
        key('owner', hotkey),
        key('axons', netuid, hotkey),
        key('prometheus', netuid, hotkey),
        key('totalHotkeyAlpha', hotkey, netuid),
      );
      // Every Stake(hotkey, *) entry, as the runtime iterates them.
      const prefix = (
        real.api.query.subtensorModule as unknown as Record<
          string,
          { keyPrefix(...a: unknown[]): string }
        >
      ).stake.keyPrefix(hotkey);
      keys.push(...(await realSend<string[]>('state_getKeysPaged', [prefix, 100, prefix])));
    }
    await copyKeys(keys);
    return n;
  }

  const answers = (method: string, input: string) =>
    Promise.all([realSend, devSend].map((send) => send<string>('state_call', [method, input])));
  const inner = (answer: string) => compactStripLength(hexToU8a(answer))[1];

  it('NeuronInfoRuntimeApi.get_neurons_lite / get_neuron_lite and SubnetInfoRuntimeApi.get_subnet_info answer the same', async () => {
    // Neurons registered for real (burned_register), with their coldkeys, a served axon's
    // absence, and the subnet's epoch run over them.
    const coldkey = real.keyring.addFromUri('//Coldkey');
    await real.setStorage([
      'System',
      'Account',
      [coldkey.address],
      { providers: 1, data: { free: 1000n * 10n ** 9n } },
    ]);
    const { burnedRegister } = await import('../support/realchain');
    const hotkeys = ['//Alice', '//Miner1', '//Miner2'].map(
      (uri) => real.keyring.addFromUri(uri).address,
    );
    await burnedRegister(real, coldkey, hotkeys);
    // Stake of two coldkeys on Alice's hotkey: NeuronInfoLite.stake lists both, in key order.
    const other = real.keyring.addFromUri('//Other').address;
    await real.setStorage(
      ['SubtensorModule', 'Stake', [hotkeys[0], coldkey.address], 123_456_789],
      ['SubtensorModule', 'Stake', [hotkeys[0], other], 42],
    );
    await real.newBlocks(2);
    const n = await copyNeurons(NETUID);
    expect(n).toBe(4);
    const registry = new TypeRegistry();
    const decodeList = (answer: string) =>
      registry.createType(`Vec<${NEURON_INFO_LITE_TYPE}>`, inner(answer)).toJSON();
    const [realList, devList] = await answers('NeuronInfoRuntimeApi_get_neurons_lite', '0x0100');
    expect(decodeList(devList)).toEqual(decodeList(realList));
    expect(devList).toBe(realList);
    expect((decodeList(realList) as unknown[]).length).toBe(4);
    // Alice (uid 1): both Stake entries, listed by the real runtime and by devnet.
    expect((decodeList(realList) as Array<{ stake: unknown[] }>)[1].stake).toHaveLength(2);
    for (const input of ['0x01000200', '0x01000900', '0x09000000']) {
      const [realOne, devOne] = await answers('NeuronInfoRuntimeApi_get_neuron_lite', input);
      expect(devOne, input).toBe(realOne);
    }
    // StakeInfoRuntimeApi: //Coldkey stakes to Alice and Miner1 (shares valued at the hotkey's
    // alpha over its shares), //Nobody to nothing.
    const [alice, miner1] = hotkeys;
    await real.setStorage(
      ['SubtensorModule', 'StakingHotkeys', [coldkey.address], [alice, miner1]],
      ['SubtensorModule', 'Alpha', [alice, coldkey.address, NETUID], 3_000],
      ['SubtensorModule', 'TotalHotkeyShares', [alice, NETUID], 7_000],
      ['SubtensorModule', 'TotalHotkeyAlpha', [alice, NETUID], 1_000_003],
      ['SubtensorModule', 'Alpha', [miner1, coldkey.address, NETUID], 5],
      ['SubtensorModule', 'TotalHotkeyShares', [miner1, NETUID], 5],
      ['SubtensorModule', 'TotalHotkeyAlpha', [miner1, NETUID], 99],
      ['SubtensorModule', 'HotkeyDividendsPerSubnet', [NETUID, alice], 777],
    );
    await real.newBlocks(1);
    const stakeKeys = [key('stakingHotkeys', coldkey.address), key('networksAdded', 0)];
    for (const hotkey of [alice, miner1])
      stakeKeys.push(
        key('alpha', hotkey, coldkey.address, NETUID),
        key('totalHotkeyShares', hotkey, NETUID),
        key('totalHotkeyAlpha', hotkey, NETUID),
        key('hotkeyDividendsPerSubnet', NETUID, hotkey),
        key('uids', NETUID, hotkey),
        key('uids', 0, hotkey),
      );
    await copyKeys(stakeKeys);
    const stakeOf = async (who: string) => {
      const input = u8aToHex(compactAddLength(registry.createType('AccountId32', who).toU8a()));
      return answers('StakeInfoRuntimeApi_get_stake_info_for_coldkey', input);
    };
    const decodeStake = (answer: string) =>
      registry.createType(`Vec<${STAKE_INFO_TYPE}>`, inner(answer)).toJSON() as unknown[];
    for (const who of [coldkey.address, real.keyring.addFromUri('//Nobody').address]) {
      const [realStake, devStake] = await stakeOf(who);
      expect(decodeStake(devStake)).toEqual(decodeStake(realStake));
      expect(devStake, who).toBe(realStake);
    }
    // Every subnet × every staking hotkey, zero stakes included: root and subnet 1, two hotkeys.
    expect(decodeStake((await stakeOf(coldkey.address))[0])).toHaveLength(4);
    const [realInfo, devInfo] = await answers('SubnetInfoRuntimeApi_get_subnet_info', '0x0100');
    expect(registry.createType(SUBNET_INFO_TYPE, inner(devInfo)).toJSON()).toEqual(
      registry.createType(SUBNET_INFO_TYPE, inner(realInfo)).toJSON(),
    );
    expect(devInfo).toBe(realInfo);
    expect((await answers('SubnetInfoRuntimeApi_get_subnet_info', '0x0900'))[1]).toBe('0x00');
  });

  /** Storage items get_subnet_hyperparams reads, copied from the real chain to devnet. */
  const HYPERPARAM_ITEMS = [
    'NetworksAdded',
    'Rho',
    'Kappa',
    'ImmunityPeriod',
    'MinAllowedWeights',
    'MaxWeightsLimit',
    'Tempo',
    'MinDifficulty',
    'MaxDifficulty',
    'WeightsVersionKey',
    'WeightsSetRateLimit',
    'AdjustmentInterval',
    'ActivityCutoff',
    'NetworkRegistrationAllowed',
    'TargetRegistrationsPerInterval',
    'MinBurn',
    'MaxBurn',
    'BondsMovingAverage',
    'MaxRegistrationsPerBlock',
    'ServingRateLimit',
    'MaxAllowedValidators',
    'AdjustmentAlpha',
    'Difficulty',
    'RevealPeriodEpochs',
    'CommitRevealWeightsEnabled',
    'AlphaValues',
    'LiquidAlphaOn',
  ];

  /** Copies each item's value for `netuid` (or its absence) from the real chain to devnet. */
  async function copySubnet(netuid: number) {
    const query = real.api.query.subtensorModule as unknown as Record<
      string,
      { key(...args: unknown[]): string }
    >;
    const pairs: Array<[string, string | null]> = [];
    for (const item of HYPERPARAM_ITEMS) {
      const key = query[item[0].toLowerCase() + item.slice(1)].key(netuid);
      pairs.push([key, await realSend<string | null>('state_getStorage', [key])]);
    }
    devnet.controls.setStorageRaw(pairs);
    devnet.controls.advanceBlocks(1);
  }

  it('SubnetInfoRuntimeApi.get_subnet_hyperparams answers the same for the genesis subnet', async () => {
    await copySubnet(NETUID);
    const input = '0x0100';
    const realAnswer = await realSend<string>('state_call', [
      'SubnetInfoRuntimeApi_get_subnet_hyperparams',
      input,
    ]);
    const devAnswer = await devSend<string>('state_call', [
      'SubnetInfoRuntimeApi_get_subnet_hyperparams',
      input,
    ]);
    const decode = (answer: string) => {
      const registry = new TypeRegistry();
      const [, inner] = compactStripLength(hexToU8a(answer));
      return registry.createType(SUBNET_HYPERPARAMS_TYPE, inner).toJSON();
    };
    expect(decode(devAnswer)).toEqual(decode(realAnswer));
    expect(devAnswer).toBe(realAnswer);
    expect(decode(realAnswer)).toMatchObject({ tempo: expect.any(Number) });
  });

  it('… and for values set on both, and for a subnet that does not exist (none)', async () => {
    await real.setStorage(
      ['SubtensorModule', 'Tempo', [NETUID], 77],
      ['SubtensorModule', 'Kappa', [NETUID], 1234],
      ['SubtensorModule', 'AlphaValues', [NETUID], [100, 200]],
      ['SubtensorModule', 'LiquidAlphaOn', [NETUID], true],
      ['SubtensorModule', 'CommitRevealWeightsEnabled', [NETUID], true],
    );
    await copySubnet(NETUID);
    for (const input of ['0x0100', '0x0900']) {
      const [realAnswer, devAnswer] = await Promise.all(
        [realSend, devSend].map((send) =>
          send<string>('state_call', ['SubnetInfoRuntimeApi_get_subnet_hyperparams', input]),
        ),
      );
      expect(devAnswer, input).toBe(realAnswer);
    }
  });
});
