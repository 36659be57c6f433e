// The tools of the exactly-once scenarios (test/e2e/exactly-once.e2e.test.ts), checked on their
// own against devnet: the fault proxy, the independent chain scanner, the invariant check.
import { Timestamp } from 'firebase-admin/firestore';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainScanner, scanChain } from '../support/chain-scan';
import { setupSubnet, startTestChain, submit, type TestChain } from '../support/devnet';
import { checkExactlyOnce } from '../support/exactly-once';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { testFirestore } from '../support/firestore';

const NETUID = 32;
let chain: TestChain;
let proxy: FaultProxy;
const landed: Array<{ hash: string; blockHash: string }> = [];

/** One JSON-RPC call on a fresh WebSocket through `url`; rejects when the connection fails. */
function rpcOnce(url: string, method: string, timeoutMs = 3000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('timeout'));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('open', () => socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method })));
    socket.once('message', (data) => {
      clearTimeout(timer);
      socket.close();
      resolve(JSON.parse(String(data)).result);
    });
  });
}

beforeAll(async () => {
  chain = await startTestChain();
  const [miner] = await setupSubnet(chain, {
    netuid: NETUID,
    miners: 2,
    params: { weightsSetRateLimit: 0 },
  });
  for (const weights of [
    [1, 2],
    [2, 1],
  ]) {
    const tx = chain.api.tx.subtensorModule.setWeights(NETUID, [1, 2], weights, 0);
    const outcome = await submit(chain, tx, chain.alice);
    landed.push({ hash: tx.hash.toHex(), blockHash: outcome.blockHash });
  }
  // Another signer's extrinsic, which the scan of //Alice's must leave out.
  await submit(chain, chain.api.tx.system.remark('0x00'), miner);
  proxy = await startFaultProxy({ port: Number(new URL(chain.devnet.url).port) });
});
afterAll(async () => {
  await proxy?.close();
  await chain?.stop();
});

describe('fault proxy', () => {
  it('forwards, and drops every open connection on demand', async () => {
    expect(await rpcOnce(proxy.url, 'system_name')).toBe('lead-weights devnet');
    const socket = new WebSocket(proxy.url);
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    expect(proxy.dropAll()).toBe(1);
    await closed;
  });

  it('refuses new connections for a while, or stops listening', async () => {
    await proxy.refuse(300);
    await expect(rpcOnce(proxy.url, 'system_name')).rejects.toThrow();
    await expect.poll(() => rpcOnce(proxy.url, 'system_name').catch(() => null)).toBeTruthy();
    await proxy.refuse(undefined, { listen: false });
    await expect(rpcOnce(proxy.url, 'system_name')).rejects.toThrow(/ECONNREFUSED/);
    await proxy.accept();
    expect(await rpcOnce(proxy.url, 'system_name')).toBe('lead-weights devnet');
    expect(proxy.stats.refused).toBeGreaterThan(0);
  });

  it('stalls: bytes are held both ways, then delivered in order', async () => {
    proxy.stall(400);
    const started = Date.now();
    expect(await rpcOnce(proxy.url, 'system_name')).toBe('lead-weights devnet');
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
  });
});

describe('chain scan', () => {
  it("finds the validator's signed extrinsics with hash, block, nonce and call", async () => {
    const scan = await scanChain(chain.devnet.url, chain.alice.address);
    expect(scan.genesisHash).toBe(chain.devnet.chain.genesisHash);
    expect(scan.best).toBe(chain.devnet.chain.best.number);
    expect(scan.extrinsics.map((e) => e.hash)).toEqual(landed.map((l) => l.hash));
    expect(scan.extrinsics.map((e) => e.blockHash)).toEqual(landed.map((l) => l.blockHash));
    expect(scan.extrinsics.map((e) => e.call)).toEqual([
      'subtensorModule.setWeights',
      'subtensorModule.setWeights',
    ]);
    const [first, second] = scan.extrinsics;
    expect(second.nonce).toBe(first.nonce + 1);
    expect(scan.blockHashes[first.blockNumber]).toBe(first.blockHash);
  });

  it('scans again, reading only the new blocks', async () => {
    const scanner = new ChainScanner(chain.devnet.url, chain.alice.address);
    const before = await scanner.scan();
    await chain.advance(2);
    const after = await scanner.scan();
    expect(after.best).toBe(before.best + 2);
    expect(after.extrinsics).toEqual(before.extrinsics);
  });
});

describe('exactly-once check', () => {
  const store = testFirestore('exactly-once-check');
  afterAll(() => store.close());

  it('holds with one record per extrinsic, and names what breaks it', async () => {
    await store.clear();
    const scan = await scanChain(chain.devnet.url, chain.alice.address);
    const transactions = store.db.collection('weight_transactions');
    const record = (fields: Record<string, unknown>) =>
      transactions.add({
        validator_hotkey: chain.alice.address,
        ts: Timestamp.fromMillis(2_000),
        durations: { run_ms: 500 },
        unresolved: false,
        ...fields,
      });
    const [first, second] = scan.extrinsics;
    await record({
      status: 'included',
      transaction_hash: first.hash,
      block_number: first.blockNumber,
    });
    const request = { atMs: 1_000, label: 'lead-1' };
    let report = await checkExactlyOnce({
      db: store.db,
      scan,
      validator: chain.alice.address,
      requests: [request],
    });
    expect(report.problems).toEqual([
      expect.stringMatching(new RegExp(`^${second.hash.slice(0, 10)}….*on chain, no record$`)),
    ]);
    expect(report).toMatchObject({ onChain: 2, recorded: 1, unresolved: 0, ok: false });
    expect(report.requests).toEqual({ published: 1, total: 1 });

    await record({ status: 'submitting', transaction_hash: second.hash, block_number: null });
    await record({ status: 'rate-limited', transaction_hash: null, block_number: 9 });
    report = await checkExactlyOnce({
      db: store.db,
      scan,
      validator: chain.alice.address,
      requests: [request, { atMs: 5_000, label: 'lead-2' }],
    });
    expect(report.problems).toEqual([
      expect.stringMatching(/record .* says block null$/),
      expect.stringMatching(/unresolved \(submitting\)$/),
      'request lead-2 not published by any landed extrinsic',
    ]);
    expect(report).toMatchObject({ recorded: 1, recordsWithHash: 2, unresolved: 1 });
  });
});
