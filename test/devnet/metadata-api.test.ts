// The Metadata runtime API, as real nodes serve it: @polkadot/api loads metadata through
// state_call (Metadata_metadata_versions, then Metadata_metadata_at_version) instead of
// falling back to state_getMetadata with a "MetadataApi not available" warning.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Metadata, TypeRegistry, type Option } from '@polkadot/types';
import type { RuntimeVersion } from '@polkadot/types/interfaces';
import type { Codec } from '@polkadot/types/types';
import { compactStripLength, hexToU8a, u8aToHex } from '@polkadot/util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Devnet } from '../../devnet/src/devnet';
import { RUNTIME_PROFILES } from '../../devnet/src/profiles';
import { SUBTENSOR_SIGNED_EXTENSIONS } from '../../devnet/src/runtime';

/** The metadata bytes inside SCALE Option<OpaqueMetadata> (None: undefined). */
function unwrapOpaque(hex: string): string | undefined {
  const bytes = hexToU8a(hex);
  if (bytes[0] === 0) return undefined;
  return u8aToHex(compactStripLength(bytes.subarray(1))[1]);
}

describe.each(RUNTIME_PROFILES)('Metadata runtime API (%s)', (runtime) => {
  let devnet: Devnet;
  let api: ApiPromise;
  let provider: WsProvider;
  const printed: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    devnet = await Devnet.start({ runtime, finalityLag: 0 });
    devnet.onRequest((method) => requests.push(method));
    const spies = (['log', 'warn', 'error', 'info', 'debug'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(' '));
      }),
    );
    try {
      provider = new WsProvider(devnet.url);
      // noInitWarn left at its default (false): the api prints what it falls back to.
      api = await ApiPromise.create({ provider, signedExtensions: SUBTENSOR_SIGNED_EXTENSIONS });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
  afterAll(async () => {
    await api.disconnect();
    await devnet.stop();
  });

  it('lists the Metadata API (version 2) in the runtime version', () => {
    const apis = api.runtimeVersion.apis.map(([id, version]) => [id.toHex(), version.toNumber()]);
    expect(apis).toContainEqual(['0x37e397fc7c91f5e4', 2]);
    expect(apis).toContainEqual(['0xdf6acb689907609b', 5]); // Core
  });

  it('connecting prints no "MetadataApi not available" and no fallback to state_getMetadata', () => {
    expect(printed.filter((line) => /MetadataApi not available/.test(line))).toEqual([]);
    expect(printed.filter((line) => /get_metadata will be used/.test(line))).toEqual([]);
    expect(requests).toContain('state_call');
    expect(requests).not.toContain('state_getMetadata');
  });

  it('the api calls no runtime API other than the Metadata API while connecting', () => {
    expect(requests.filter((method) => method === 'state_call')).toHaveLength(2);
    // The runtime APIs metadata V15 lists (devnet/src/runtime-apis.ts).
    expect(Object.keys(api.call).sort()).toEqual([
      'core',
      'metadata',
      'neuronInfoRuntimeApi',
      'stakeInfoRuntimeApi',
      'subnetInfoRuntimeApi',
    ]);
  });

  it('serves the same metadata as state_getMetadata at version 14, and V15 beside it', async () => {
    const viaRpc = await provider.send<string>('state_getMetadata', []);
    const versions = await provider.send<string>('state_call', [
      'Metadata_metadata_versions',
      '0x',
    ]);
    expect(api.registry.createType('Vec<u32>', versions).toJSON()).toEqual([14, 15]);
    const at14 = await provider.send<string>('state_call', [
      'Metadata_metadata_at_version',
      '0x0e000000',
    ]);
    expect(unwrapOpaque(at14)).toBe(viaRpc);
    expect(await provider.send('state_call', ['Metadata_metadata_at_version', '0x10000000'])).toBe(
      '0x00',
    );
    // V15: the same pallets and types, plus the runtime APIs; the api loads it, as from a node.
    const at15 = unwrapOpaque(
      await provider.send<string>('state_call', ['Metadata_metadata_at_version', '0x0f000000']),
    );
    const v15 = new Metadata(new TypeRegistry(), at15 as `0x${string}`);
    expect(v15.version).toBe(15);
    const v14 = new Metadata(new TypeRegistry(), viaRpc as `0x${string}`);
    expect(v15.asV15.pallets.map((p) => p.name.toString())).toEqual(
      v14.asV14.pallets.map((p) => p.name.toString()),
    );
    expect(v15.asV15.apis.map((a) => a.name.toString())).toEqual([
      'Core',
      'Metadata',
      'NeuronInfoRuntimeApi',
      'StakeInfoRuntimeApi',
      'SubnetInfoRuntimeApi',
    ]);
    expect(api.runtimeMetadata.version).toBe(15);
    const plain = await provider.send<string>('state_call', ['Metadata_metadata', '0x']);
    expect(u8aToHex(compactStripLength(hexToU8a(plain))[1])).toBe(viaRpc);
    // Through the api's decorated runtime call, and what the api loaded.
    const opaque = (await api.call.metadata.metadataAtVersion(14)) as Option<Codec>;
    expect(opaque.unwrap().toHex()).toBe(viaRpc);
  });

  it('answers Core_version with the runtime version', async () => {
    const version = (await api.call.core.version()) as RuntimeVersion;
    expect(version.specVersion.toNumber()).toBe(api.runtimeVersion.specVersion.toNumber());
    expect(version.apis.length).toBe(5);
  });

  it('answers other runtime APIs as a runtime that does not export them', async () => {
    await expect(
      provider.send('state_call', ['NeuronInfoRuntimeApi_get_neurons', '0x0100']),
    ).rejects.toThrow('Exported method NeuronInfoRuntimeApi_get_neurons is not found');
    await expect(
      provider.send('state_call', ['Metadata_metadata_at_version', '0x0e']),
    ).rejects.toThrow('expected a u32');
  });

  it('signs and submits as before: nonces from system_accountNextIndex, not a runtime API', async () => {
    const { Keyring } = await import('@polkadot/api');
    const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
    devnet.controls.endowAccount(alice.address);
    devnet.controls.advanceBlocks(1);
    requests.length = 0;
    // nonce -1: the next nonce, pool included (AccountNonceApi where a runtime lists it).
    const hash = await api.tx.system.remark('0x01').signAndSend(alice, { nonce: -1 });
    expect(hash.toHex()).toMatch(/^0x[0-9a-f]{64}$/);
    expect(requests).toContain('system_accountNextIndex');
    expect(requests).not.toContain('state_call');
  });
});

describe('Metadata runtime API with omitted items', () => {
  let devnet: Devnet;
  beforeAll(async () => {
    devnet = await Devnet.start({ omit: ['SubtensorModule.Tempo'] });
  });
  afterAll(() => devnet.stop());

  it('serves the metadata without them, as state_getMetadata does', async () => {
    const provider = new WsProvider(devnet.url);
    const api = await ApiPromise.create({
      provider,
      signedExtensions: SUBTENSOR_SIGNED_EXTENSIONS,
      noInitWarn: true,
    });
    try {
      expect(api.query.subtensorModule.tempo).toBeUndefined();
      const at14 = await provider.send<string>('state_call', [
        'Metadata_metadata_at_version',
        '0x0e000000',
      ]);
      expect(unwrapOpaque(at14)).toBe(await provider.send('state_getMetadata', []));
    } finally {
      await api.disconnect();
    }
  });
});
