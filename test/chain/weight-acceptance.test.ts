// Every vector the publisher makes lands on devnet, whose max-weight check is the runtime's
// fixed-point one (docs/weight-acceptance.md); the issue-23 example is refused as the SDK sends it
// and lands as the publisher sends it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_PROFILES } from '../../devnet/src/profiles';
import { publishWeights } from '../../functions/src/publishing/publish';
import { acceptedWeights, checkWeights } from '../../functions/src/weights/acceptance';
import { processWeights } from '../../functions/src/weights/process';
import { toU16Weights } from '../../functions/src/weights/u16';
import {
  devnetPublishConfig,
  setupSubnet,
  startTestChain,
  submit,
  type TestChain,
} from '../support/devnet';
import { recordingLogger } from '../support/logger';
import { random, randomCase } from '../support/weight-cases';

describe.each(RUNTIME_PROFILES)('on the %s runtime profile', (runtime) => {
  let chain: TestChain;
  let netuid = 300;
  beforeAll(async () => {
    chain = await startTestChain({ runtime, finalityLag: 1 });
  });
  afterAll(() => chain.stop());

  it('refuses the SDK vector of the issue-23 example and takes the publisher one', async () => {
    netuid += 1;
    const params = { minAllowedWeights: 2, maxWeightsLimit: 21000, weightsSetRateLimit: 2 };
    const miners = await setupSubnet(chain, { netuid, miners: 5, params });
    const scores = [0, 0.35, 0.35, 0.15, 0.11, 0.04];
    const rules = { neurons: 6, minAllowedWeights: 2, maxWeightsLimit: 21000 };
    const sdk = processWeights([0, 1, 2, 3, 4, 5], scores, rules);
    const sdkVector = toU16Weights(sdk.uids, sdk.weights);
    expect(sdkVector.values).toEqual([65535, 65535, 36723, 26930, 9793]);

    const refused = await submit(
      chain,
      chain.api.tx.subtensorModule.setWeights(netuid, sdkVector.uids, sdkVector.values, 0),
      chain.alice,
    );
    expect(refused.error).toBe('subtensorModule.MaxWeightExceeded');
    await chain.advance(2);

    const shares = Object.fromEntries(miners.map((m, i) => [m.address, scores[i + 1]]));
    const seal = () => setTimeout(() => chain.devnet.chain.produceBlock(), 5);
    chain.devnet.chain.on('submitted', seal);
    try {
      const result = await publishWeights({
        shares,
        signer: chain.alice,
        config: devnetPublishConfig(chain, netuid),
        log: recordingLogger(),
        sleep: async () => undefined,
      });
      expect(result).toMatchObject({ status: 'included', mode: 'set_weights' });
      expect(result.allocation.map((row) => row.u16)).toEqual([65535, 65535, 36724, 26930, 9793]);
      const stored = await chain.api.query.subtensorModule.weights(netuid, 0);
      expect(stored.toJSON()).toEqual([
        [1, 65535],
        [2, 65535],
        [3, 36724],
        [4, 26930],
        [5, 9793],
      ]);
    } finally {
      chain.devnet.chain.off('submitted', seal);
    }
  });

  it('accepts every publisher vector of random cases, and refuses each SDK vector it must', async () => {
    const rng = random(runtime === 'current' ? 425 : 218);
    let landed = 0;
    let sdkRefused = 0;
    for (let i = 0; i < 24; i++) {
      const { n, minw, limit, scores } = randomCase(rng, 24);
      const rules = { neurons: n, minAllowedWeights: minw, maxWeightsLimit: limit };
      const uids = scores.map((_, uid) => uid);
      const accepted = acceptedWeights(uids, scores, rules);
      if (!('weights' in accepted)) continue;
      netuid += 1;
      await setupSubnet(chain, {
        netuid,
        miners: n - 1,
        params: { minAllowedWeights: minw, maxWeightsLimit: limit, weightsSetRateLimit: 0 },
      });
      const processed = processWeights(uids, scores, rules);
      const sdk = toU16Weights(processed.uids, processed.weights);
      if (checkWeights(sdk.uids, sdk.values, rules) !== undefined) {
        const outcome = await submit(
          chain,
          chain.api.tx.subtensorModule.setWeights(netuid, sdk.uids, sdk.values, 0),
          chain.alice,
        );
        expect(outcome.error).toBe(`subtensorModule.${checkWeights(sdk.uids, sdk.values, rules)}`);
        sdkRefused++;
      }
      const { uids: sent, values } = accepted.weights;
      const outcome = await submit(
        chain,
        chain.api.tx.subtensorModule.setWeights(netuid, sent, values, 0),
        chain.alice,
      );
      expect(outcome.error, JSON.stringify({ n, minw, limit })).toBeUndefined();
      const stored = await chain.api.query.subtensorModule.weights(netuid, 0);
      expect(stored.toJSON()).toEqual(sent.map((uid, j) => [uid, values[j]]));
      landed++;
    }
    console.log(
      `${runtime}: ${landed} publisher vectors landed, ${sdkRefused} SDK vectors refused`,
    );
    expect(landed).toBeGreaterThan(15);
  });
});
