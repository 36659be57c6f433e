// ActivityCutoff, as subtensor stores it (per subnet, u16, Identity hasher, default 5000 blocks),
// on every runtime profile, set through `devnet_setHyperparameter('activityCutoff', netuid, n)`.
import { afterEach, describe, expect, it } from 'vitest';
import { RUNTIME_PROFILES } from '../../devnet/src/profiles';
import { startTestChain, type TestChain } from '../support/devnet';

let chain: TestChain | undefined;
afterEach(async () => {
  await chain?.stop();
  chain = undefined;
});

describe.each(RUNTIME_PROFILES)('runtime %s', (runtime) => {
  it('serves ActivityCutoff per subnet, 5000 by default, settable over JSON-RPC', async () => {
    chain = await startTestChain({ runtime });
    await chain.control('createSubnet', { netuid: 7 });
    await chain.control('createSubnet', { netuid: 8 });
    await chain.advance();
    const cutoff = async (netuid: number) =>
      Number((await chain?.api.query.subtensorModule.activityCutoff(netuid))?.toString());
    expect(await cutoff(7)).toBe(5000);
    await chain.control('setHyperparameter', 'activityCutoff', 7, 120);
    await chain.advance();
    expect(await cutoff(7)).toBe(120);
    expect(await cutoff(8)).toBe(5000);
    // The storage key is subtensor's: twox128 prefixes and the netuid as it is (Identity).
    const key = chain.api.query.subtensorModule.activityCutoff.key(7);
    expect(key.endsWith('0700')).toBe(true);
  });
});
