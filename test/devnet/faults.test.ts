import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupSubnet, startTestChain, submit, type TestChain } from '../support/devnet';

const NETUID = 30;
let chain: TestChain;

beforeAll(async () => {
  chain = await startTestChain();
  await setupSubnet(chain, { netuid: NETUID, miners: 2, params: { weightsSetRateLimit: 0 } });
});
afterAll(() => chain.stop());

const connected = () =>
  new Promise<void>((resolve) => {
    if (chain.api.isConnected) resolve();
    else chain.api.once('connected', () => resolve());
  });

describe('faults', () => {
  it('drops every connection; the api reconnects and its subscriptions resume', async () => {
    const heads: number[] = [];
    const unsubscribe = await chain.api.rpc.chain.subscribeNewHeads((h) => {
      heads.push(h.number.toNumber());
    });
    const disconnected = new Promise<void>((resolve) =>
      chain.api.once('disconnected', () => resolve()),
    );
    expect(chain.devnet.controls.dropConnections()).toEqual({ dropped: 1 });
    await disconnected;
    await connected();
    await chain.advance();
    const best = (await chain.api.rpc.chain.getHeader()).number.toNumber();
    await expect.poll(() => heads.at(-1), { timeout: 3000 }).toBe(best);
    unsubscribe();
    expect(
      (
        await submit(
          chain,
          chain.api.tx.subtensorModule.setWeights(NETUID, [1, 2], [1, 1], 0),
          chain.alice,
        )
      ).error,
    ).toBeUndefined();
  });

  it('stalls block production: a submitted extrinsic waits, and blocks resume on request', async () => {
    await chain.control('stall', true);
    await expect(chain.advance()).rejects.toThrow('block production is stalled');
    const statuses: string[] = [];
    const unsubscribe = await chain.api.tx.subtensorModule
      .setWeights(NETUID, [1, 2], [2, 1], 0)
      .signAndSend(chain.alice, (result) => {
        statuses.push(result.status.type);
      });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(statuses).toEqual(['Ready']);
    await chain.control('stall', false);
    await chain.advance();
    await expect.poll(() => statuses.at(-1), { timeout: 3000 }).toMatch(/InBlock|Finalized/);
    unsubscribe();
  });

  it('delays the answer to submissions', async () => {
    await chain.control('delaySubmissions', 300);
    try {
      const started = Date.now();
      const signed = await chain.api.tx.subtensorModule
        .setWeights(NETUID, [1, 2], [1, 3], 0)
        .signAsync(chain.alice);
      await chain.api.rpc.author.submitExtrinsic(signed);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      await chain.control('delaySubmissions', 0);
      await chain.advance();
    }
  });

  it('produces blocks on a timer when asked to', async () => {
    const timed = await startTestChain({ autoBlocks: true, blockTimeMs: 50 });
    try {
      const first = (await timed.api.rpc.chain.getHeader()).number.toNumber();
      await expect
        .poll(async () => (await timed.api.rpc.chain.getHeader()).number.toNumber(), {
          timeout: 3000,
        })
        .toBeGreaterThan(first + 2);
    } finally {
      await timed.stop();
    }
  });
});
