// An independent chain scanner: reads every block from 1 to the best over raw JSON-RPC (a plain
// WebSocket, no @polkadot/api), decodes each extrinsic with the node's own metadata and hashes its
// bytes (blake2-256, as a node names an extrinsic), and returns the validator's signed extrinsics.
// It shares no code with the publisher, so it can judge what the publisher recorded.
import { Metadata, TypeRegistry } from '@polkadot/types';
import type { GenericExtrinsic } from '@polkadot/types';
import { hexToU8a, u8aEq } from '@polkadot/util';
import { blake2AsHex, decodeAddress } from '@polkadot/util-crypto';
import WebSocket from 'ws';

/** Subtensor's own transaction extensions carry no data (as @polkadot/api must be told). */
const SIGNED_EXTENSIONS = {
  SubtensorTransactionExtension: { extrinsic: {}, payload: {} },
  SubtensorSignedExtension: { extrinsic: {}, payload: {} },
  CommitmentsSignedExtension: { extrinsic: {}, payload: {} },
};

export interface ScannedExtrinsic {
  hash: string;
  blockNumber: number;
  blockHash: string;
  index: number;
  nonce: number;
  /** `section.method`, e.g. `subtensorModule.setWeights`. */
  call: string;
}

export interface ChainScan {
  genesisHash: string;
  best: number;
  /** Block hash by number, 0..best. */
  blockHashes: string[];
  /** The validator's signed extrinsics, in chain order. */
  extrinsics: ScannedExtrinsic[];
}

/** A minimal JSON-RPC client over one WebSocket. */
class RawRpc {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as {
        id?: number;
        result?: unknown;
        error?: { code: number; message: string };
      };
      if (message.id === undefined) return;
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error)
        waiter?.reject(new Error(`${message.error.code}: ${message.error.message}`));
      else waiter?.resolve(message.result);
    });
    const fail = () => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error('connection closed'));
      this.waiting.clear();
    };
    socket.on('close', fail);
    socket.on('error', fail);
  }

  static open(url: string, timeoutMs = 5000): Promise<RawRpc> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`chain scan: no connection to ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve(new RawRpc(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  call<T>(method: string, params: unknown[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * Scans a chain; keeps what it decoded, so that scanning the same chain again reads only the new
 * blocks (a chain whose genesis or earlier blocks changed, a reset, is scanned from the start).
 */
export class ChainScanner {
  private registry?: TypeRegistry;
  private specVersion?: number;
  private genesisHash?: string;
  private blockHashes: string[] = [];
  private byBlock: ScannedExtrinsic[][] = [];
  private readonly validatorKey: Uint8Array;

  constructor(
    private readonly url: string,
    validator: string,
  ) {
    this.validatorKey = decodeAddress(validator);
  }

  async scan(): Promise<ChainScan> {
    const rpc = await RawRpc.open(this.url);
    try {
      const genesisHash = await rpc.call<string>('chain_getBlockHash', [0]);
      const header = await rpc.call<{ number: string }>('chain_getHeader', []);
      const best = Number(header.number);
      const version = await rpc.call<{ specVersion: number }>('state_getRuntimeVersion', []);
      if (genesisHash !== this.genesisHash || version.specVersion !== this.specVersion) {
        const registry = new TypeRegistry();
        const metadata = new Metadata(
          registry,
          await rpc.call<`0x${string}`>('state_getMetadata', []),
        );
        registry.setMetadata(metadata, undefined, SIGNED_EXTENSIONS);
        this.registry = registry;
        this.specVersion = version.specVersion;
        this.forget(0);
      }
      this.genesisHash = genesisHash;
      const hashes = await Promise.all(
        Array.from({ length: best + 1 }, (_, n) => rpc.call<string>('chain_getBlockHash', [n])),
      );
      // The first block whose hash changed (or was never read): read from there.
      let from = hashes.findIndex((hash, n) => this.blockHashes[n] !== hash);
      if (from === -1) from = hashes.length;
      this.forget(from);
      const read = await Promise.all(
        hashes
          .slice(from)
          .map((hash) => rpc.call<{ block: { extrinsics: string[] } }>('chain_getBlock', [hash])),
      );
      read.forEach(({ block }, i) => {
        const number = from + i;
        this.blockHashes[number] = hashes[number];
        this.byBlock[number] =
          number === 0 ? [] : this.decode(block.extrinsics, number, hashes[number]);
      });
      return {
        genesisHash,
        best,
        blockHashes: this.blockHashes.slice(0, best + 1),
        extrinsics: this.byBlock.slice(0, best + 1).flat(),
      };
    } finally {
      rpc.close();
    }
  }

  private forget(from: number): void {
    this.blockHashes.length = Math.min(this.blockHashes.length, from);
    this.byBlock.length = Math.min(this.byBlock.length, from);
  }

  private decode(extrinsics: string[], blockNumber: number, blockHash: string): ScannedExtrinsic[] {
    const registry = this.registry;
    if (!registry) throw new Error('chain scan: no metadata');
    return extrinsics.flatMap((hex, index) => {
      const extrinsic = registry.createType('Extrinsic', hex) as unknown as GenericExtrinsic;
      if (!extrinsic.isSigned) return [];
      if (!u8aEq(decodeAddress(extrinsic.signer.toString()), this.validatorKey)) return [];
      return [
        {
          hash: blake2AsHex(hexToU8a(hex), 256),
          blockNumber,
          blockHash,
          index,
          nonce: extrinsic.nonce.toNumber(),
          call: `${extrinsic.method.section}.${extrinsic.method.method}`,
        },
      ];
    });
  }
}

/** Scans once: the validator's signed extrinsics from block 1 to the best. */
export function scanChain(url: string, validator: string): Promise<ChainScan> {
  return new ChainScanner(url, validator).scan();
}
