import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestChain, type TestChain } from '../support/devnet';

let chain: TestChain;
beforeAll(async () => {
  chain = await startTestChain();
});
afterAll(() => chain.stop());

it('connects', async () => {
  expect(chain.api.runtimeVersion.specName.toString()).toBe('node-subtensor');
});
