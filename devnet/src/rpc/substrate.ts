/** The Substrate RPC methods @polkadot/api uses, answered from the devnet chain. */
import { hexToU8a, u8aToHex, u8aToNumber } from '@polkadot/util';
import type { Chain, Block, TxStatus } from '../chain';
import { RpcError } from '../errors';
import { SS58_PREFIX } from '../metadata/build';
import type { Hex } from '../runtime';
import { callRuntimeApi } from '../runtime-apis';
import type { RpcServer } from './server';

const hex = (n: number): Hex => `0x${n.toString(16)}`;

export function headerJson(block: Block) {
  const { header } = block;
  return {
    parentHash: header.parentHash.toHex(),
    number: hex(block.number),
    stateRoot: header.stateRoot.toHex(),
    extrinsicsRoot: header.extrinsicsRoot.toHex(),
    digest: { logs: header.digest.logs.map((log) => log.toHex()) },
  };
}

function blockAt(chain: Chain, hash: unknown): Block {
  const block = chain.block(
    hash === undefined || hash === null ? undefined : (String(hash) as Hex),
  );
  if (!block)
    throw new RpcError(
      4003,
      `Client error: UnknownBlock: Header was not found in the database: ${String(hash)}`,
    );
  return block;
}

/**
 * The other names a Substrate node serves the same methods under (sc-rpc's aliases), which
 * standard clients call: the Python SDK asks `chain_getHead` for the best block at connect and
 * looks for `account_nextIndex` in `rpc_methods` before every write.
 */
const NODE_ALIASES: ReadonlyArray<[alias: string, method: string]> = [
  ['chain_getHead', 'chain_getBlockHash'],
  ['account_nextIndex', 'system_accountNextIndex'],
  ['state_callAt', 'state_call'],
  ['state_getKeysPagedAt', 'state_getKeysPaged'],
  ['state_getStorageHashAt', 'state_getStorageHash'],
  ['state_getStorageSizeAt', 'state_getStorageSize'],
];

function registerNodeAliases(server: RpcServer, chain: Chain): void {
  for (const [alias, method] of NODE_ALIASES) server.alias(alias, method);
  // What a single development node answers about itself.
  server.method('system_nodeRoles', () => ['Authority']);
  server.method('system_localPeerId', () => '12D3KooWDevnetDevnetDevnetDevnetDevnetDevnetDevnet');
  server.method('system_localListenAddresses', () => []);
  server.method('system_peers', () => []);
  server.method('system_syncState', () => ({
    startingBlock: 0,
    currentBlock: chain.best.number,
    highestBlock: chain.best.number,
  }));
}

const optionalHash = (value: unknown): Hex | undefined =>
  value === undefined || value === null ? undefined : (String(value) as Hex);

export function registerSubstrateMethods(server: RpcServer, chain: Chain, chainName: string): void {
  const { runtime } = chain;

  server.method('rpc_methods', () => ({ version: 1, methods: server.methodNames }));
  server.method('system_chain', () => chainName);
  server.method('system_name', () => 'lead-weights devnet');
  server.method('system_version', () => '0.1.0');
  server.method('system_chainType', () => 'Development');
  server.method('system_properties', () => ({
    ss58Format: SS58_PREFIX,
    tokenDecimals: 9,
    tokenSymbol: 'TAO',
  }));
  server.method('system_health', () => ({ peers: 0, isSyncing: false, shouldHavePeers: false }));
  server.method('system_accountNextIndex', ([address]) => chain.accountNonce(String(address)));

  server.method('chain_getBlockHash', ([number]) => {
    if (number === undefined || number === null) return chain.best.hash;
    return chain.block(Number(number))?.hash ?? null;
  });
  server.method('chain_getHeader', ([hash]) => headerJson(blockAt(chain, hash)));
  server.method('chain_getBlock', ([hash]) => {
    const block = blockAt(chain, hash);
    return {
      block: { header: headerJson(block), extrinsics: block.extrinsics },
      justifications: null,
    };
  });
  server.method('chain_getFinalizedHead', () => chain.finalized.hash);
  server.method('chain_getFinalisedHead', () => chain.finalized.hash);

  const heads = (event: 'newHead' | 'finalized', current: () => Block) => ({
    start: (_params: unknown[], subscriber: { notify(result: unknown): void }) => {
      subscriber.notify(headerJson(current()));
      const listener = (block: Block) => subscriber.notify(headerJson(block));
      chain.on(event, listener);
      return () => void chain.off(event, listener);
    },
  });
  server.subscription('chain_subscribeNewHeads', {
    notification: 'chain_newHead',
    unsubscribe: ['chain_unsubscribeNewHeads', 'chain_unsubscribeNewHead'],
    ...heads('newHead', () => chain.best),
  });
  server.subscription('chain_subscribeNewHead', {
    notification: 'chain_newHead',
    unsubscribe: [],
    ...heads('newHead', () => chain.best),
  });
  server.subscription('chain_subscribeAllHeads', {
    notification: 'chain_allHead',
    unsubscribe: ['chain_unsubscribeAllHeads'],
    ...heads('newHead', () => chain.best),
  });
  server.subscription('chain_subscribeFinalizedHeads', {
    notification: 'chain_finalizedHead',
    unsubscribe: ['chain_unsubscribeFinalizedHeads'],
    ...heads('finalized', () => chain.finalized),
  });

  // Runtime version, metadata and runtime calls need the block's state (the runtime code in it):
  // at a block whose state was discarded they fail as the storage queries do.
  const runtimeVersion = ([hash]: unknown[]) => {
    chain.stateAt(optionalHash(hash));
    return runtime.version;
  };
  server.method('state_getRuntimeVersion', runtimeVersion);
  server.method('chain_getRuntimeVersion', runtimeVersion);
  server.subscription('state_subscribeRuntimeVersion', {
    notification: 'state_runtimeVersion',
    unsubscribe: ['state_unsubscribeRuntimeVersion'],
    start: (_params, subscriber) => {
      // The runtime never upgrades on devnet: the current version is all there is to tell.
      subscriber.notify(runtime.version);
      return () => undefined;
    },
  });
  server.method('state_getMetadata', ([hash]) => {
    chain.stateAt(optionalHash(hash));
    return runtime.metadataHex;
  });
  // Runtime APIs: Core_version and the Metadata API (version 2), as RuntimeVersion.apis lists
  // them; @polkadot/api then loads metadata through Metadata_metadata_at_version. Any other
  // runtime API answers as a node whose runtime does not export it.
  server.method('state_call', ([name, data, hash]) => {
    chain.stateAt(optionalHash(hash));
    const input = hexToU8a(data === undefined || data === null ? '0x' : String(data));
    switch (String(name)) {
      case 'Core_version':
        return runtime.encodedVersion();
      case 'Metadata_metadata':
        return u8aToHex(runtime.opaqueMetadata());
      case 'Metadata_metadata_versions':
        return runtime.metadataVersions();
      case 'Metadata_metadata_at_version':
        if (input.length !== 4) {
          throw new RpcError(
            -32000,
            `Client error: Execution failed: Other: Could not decode the input of Metadata_metadata_at_version: expected a u32 (4 bytes), got ${input.length}`,
          );
        }
        return runtime.metadataAtVersion(u8aToNumber(input));
      default: {
        // The client-facing runtime APIs (runtime-apis.ts), where devnet serves them.
        const answer = callRuntimeApi(chain.stateAt(optionalHash(hash)), String(name), input);
        if (answer !== undefined) return answer;
        throw new RpcError(
          -32000,
          `Client error: Execution failed: Other: Exported method ${String(name)} is not found`,
        );
      }
    }
  });

  const getStorage = ([key, hash]: unknown[]) =>
    chain.stateAt(optionalHash(hash)).raw(String(key) as Hex);
  server.method('state_getStorage', getStorage);
  server.method('state_getStorageAt', getStorage);
  server.method('state_getStorageHash', ([key, hash]) => {
    const value = chain.stateAt(optionalHash(hash)).raw(String(key) as Hex);
    return value === null ? null : runtime.registry.hash(hexToU8a(value)).toHex();
  });
  server.method('state_getStorageSize', ([key, hash]) => {
    const value = chain.stateAt(optionalHash(hash)).raw(String(key) as Hex);
    return value === null ? null : (value.length - 2) / 2;
  });
  server.method('state_queryStorageAt', ([keys, hash]) => {
    const block = blockAt(chain, hash);
    const state = chain.stateAt(block.hash);
    return [{ block: block.hash, changes: (keys as Hex[]).map((key) => [key, state.raw(key)]) }];
  });
  server.method('state_getKeysPaged', ([prefix, count, startKey, hash]) => {
    const keys = chain.stateAt(optionalHash(hash)).keys(String(prefix ?? '0x') as Hex);
    const after = startKey ? String(startKey).toLowerCase() : '';
    return keys.filter((key) => key > after).slice(0, Number(count));
  });
  server.method('state_getKeys', ([prefix, hash]) =>
    chain.stateAt(optionalHash(hash)).keys(String(prefix ?? '0x') as Hex),
  );
  server.subscription('state_subscribeStorage', {
    notification: 'state_storage',
    unsubscribe: ['state_unsubscribeStorage'],
    start: ([keys], subscriber) => {
      const watched = ((keys as Hex[] | undefined) ?? []).map((key) => key.toLowerCase() as Hex);
      const values = () => watched.map((key) => [key, chain.bestState.raw(key)] as const);
      let last = values();
      subscriber.notify({ block: chain.best.hash, changes: last });
      const listener = (block: Block) => {
        const now = values();
        const changes = now.filter(([, value], i) => value !== last[i][1]);
        last = now;
        if (changes.length) subscriber.notify({ block: block.hash, changes });
      };
      chain.on('newHead', listener);
      return () => void chain.off('newHead', listener);
    },
  });

  registerNodeAliases(server, chain);

  server.method('author_submitExtrinsic', ([extrinsic]) => chain.submit(String(extrinsic) as Hex));
  server.method('author_pendingExtrinsics', () => chain.pendingExtrinsics());
  server.subscription('author_submitAndWatchExtrinsic', {
    notification: 'author_extrinsicUpdate',
    unsubscribe: ['author_unwatchExtrinsic'],
    start: async ([extrinsic], subscriber) => {
      let watching = true;
      await chain.submit(String(extrinsic) as Hex, (status: TxStatus) => {
        if (watching) subscriber.notify(status);
      });
      return () => {
        watching = false;
      };
    },
  });
}
