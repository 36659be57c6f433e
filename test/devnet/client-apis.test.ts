// What a standard client (the Python SDK) needs from a node, on every devnet profile: the RPC
// aliases, a dense error enum, metadata V15 with the runtime APIs, the runtime APIs' answers for
// devnet's own subnets, and the storage items clients read. The answers' equality with the real
// spec-218 runtime's is test/realchain/client-conformance.test.ts.
import { compactStripLength, hexToU8a, u8aToHex } from '@polkadot/util';
import { TypeRegistry } from '@polkadot/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXISTENTIAL_DEPOSIT, SUBTENSOR_ERRORS } from '../../devnet/src/metadata/build';
import { RUNTIME_PROFILES, runtimeProfile } from '../../devnet/src/profiles';
import {
  NEURON_INFO_LITE_TYPE,
  SUBNET_HYPERPARAMS_TYPE,
  SUBNET_INFO_TYPE,
} from '../../devnet/src/runtime-apis';
import { setupSubnet, startTestChain, type TestChain } from '../support/devnet';

const registry = new TypeRegistry();
const inner = (answer: string) => compactStripLength(hexToU8a(answer))[1];

describe.each(RUNTIME_PROFILES)('standard client support (%s)', (runtime) => {
  let chain: TestChain;
  const profile = runtimeProfile(runtime);
  const netuid = 12;
  const send = <T>(method: string, params: unknown[] = []) =>
    (
      chain.api as unknown as {
        _rpcCore: { provider: { send<R>(m: string, p: unknown[]): Promise<R> } };
      }
    )._rpcCore.provider.send<T>(method, params);

  beforeAll(async () => {
    chain = await startTestChain({ runtime });
    await setupSubnet(chain, { netuid, miners: 2, params: { tempo: 17, maxWeightsLimit: 30000 } });
  });
  afterAll(() => chain.stop());

  it('serves the RPC aliases a node lists, with the same answers', async () => {
    const { methods } = await send<{ methods: string[] }>('rpc_methods');
    for (const name of [
      'chain_getHead',
      'account_nextIndex',
      'state_callAt',
      'state_getKeysPagedAt',
      'system_nodeRoles',
      'system_syncState',
    ])
      expect(methods).toContain(name);
    expect(await send('chain_getHead')).toBe(await send('chain_getBlockHash'));
    const alice = chain.alice.address;
    expect(await send('account_nextIndex', [alice])).toBe(
      await send('system_accountNextIndex', [alice]),
    );
  });

  it('numbers the SubtensorModule error enum densely', () => {
    const pallet = chain.api.registry.metadata.pallets.find(
      (p) => p.name.toString() === 'SubtensorModule',
    );
    const variants = chain.api.registry.lookup.getSiType(pallet?.errors.unwrap().type ?? -1).def
      .asVariant.variants;
    expect(variants.map((v) => v.index.toNumber())).toEqual(variants.map((_, i) => i));
    expect(variants.length).toBeGreaterThan(90);
    // Every error devnet raises on this profile is in the enum, at the runtime's index.
    const names = variants.map((v) => v.name.toString());
    const raised = SUBTENSOR_ERRORS.map(([name]) => name).filter(
      (name) =>
        (profile.timelocked ||
          !['InvalidRevealRound', 'IncorrectCommitRevealVersion'].includes(name)) &&
        (profile.batchReveal || name !== 'InputLengthsUnequal') &&
        !(profile.mechanisms && name === 'SubNetworkDoesNotExist'),
    );
    expect(raised.filter((name) => !names.includes(name))).toEqual([]);
  });

  it('loads metadata V15 in @polkadot/api, with the runtime APIs it lists', async () => {
    expect(chain.api.runtimeMetadata.version).toBe(15);
    const call = chain.api.call as unknown as Record<
      string,
      Record<string, (...a: unknown[]) => Promise<{ toHex(): string }>>
    >;
    const lite = await call.neuronInfoRuntimeApi.getNeuronsLite(netuid);
    const neurons = registry
      .createType(`Vec<${NEURON_INFO_LITE_TYPE}>`, inner(lite.toHex()))
      .toJSON() as Array<{ hotkey: string; uid: number; validator_permit: boolean }>;
    expect(neurons.map((n) => [n.uid, n.hotkey, n.validator_permit])).toEqual([
      [0, chain.alice.address, true],
      [1, chain.keyring.addFromUri('//Miner1').address, false],
      [2, chain.keyring.addFromUri('//Miner2').address, false],
    ]);
    const one = await call.neuronInfoRuntimeApi.getNeuronLite(netuid, 1);
    expect(registry.createType(NEURON_INFO_LITE_TYPE, inner(one.toHex())).toJSON()).toEqual(
      neurons[1],
    );
    const missing = await call.neuronInfoRuntimeApi.getNeuronLite(netuid, 9);
    expect(missing.toHex()).toBe('0x00');
    const hyper = await call.subnetInfoRuntimeApi.getSubnetHyperparams(netuid);
    expect(
      registry.createType(SUBNET_HYPERPARAMS_TYPE, inner(hyper.toHex())).toJSON(),
    ).toMatchObject({
      tempo: 17,
      max_weights_limit: 30000,
      min_allowed_weights: 1,
    });
    const info = await call.subnetInfoRuntimeApi.getSubnetInfo(netuid);
    expect(registry.createType(SUBNET_INFO_TYPE, inner(info.toHex())).toJSON()).toMatchObject({
      netuid,
      subnetwork_n: 3,
      tempo: 17,
    });
    expect((await call.subnetInfoRuntimeApi.getSubnetInfo(99)).toHex()).toBe('0x00');
    // A coldkey staking to no hotkey: an empty list (Vec<u8> of an empty Vec<StakeInfo>).
    const stake = await call.stakeInfoRuntimeApi.getStakeInfoForColdkey(
      u8aToHex(chain.alice.addressRaw),
    );
    expect(stake.toHex()).toBe('0x0400');
  });

  it('holds the storage items clients read, and an existential deposit', async () => {
    const q = chain.api.query.subtensorModule as unknown as Record<
      string,
      (...a: unknown[]) => Promise<{ toJSON(): unknown }>
    >;
    expect((await q.totalNetworks()).toJSON()).toBe(2); // root and this subnet
    expect((await q.isNetworkMember(chain.alice.address, netuid)).toJSON()).toBe(true);
    expect((await q.isNetworkMember(chain.alice.address, 99)).toJSON()).toBe(false);
    expect((await q.bonds(netuid, 0)).toJSON()).toEqual([]);
    expect((await q.delegates(chain.alice.address)).toJSON()).toBe(11796);
    expect(chain.api.consts.balances.existentialDeposit.toString()).toBe(
      String(EXISTENTIAL_DEPOSIT),
    );
  });
});
