// The runtime acceptance check (functions/src/weights/acceptance.ts) against the real spec-218
// runtime under chopsticks: where the check refuses the SDK's vector the runtime refuses it with
// the same error, and the publisher's vector lands as sent. The issue-23 example included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishWeights } from '../../functions/src/publishing/publish';
import { acceptedWeights, checkWeights } from '../../functions/src/weights/acceptance';
import { processWeights } from '../../functions/src/weights/process';
import { toU16Weights } from '../../functions/src/weights/u16';
import { recordingLogger } from '../support/logger';
import {
  hyperparameter,
  LANDED,
  NETUID,
  neurons,
  prepareSubnet,
  realchainPublishConfig,
  startRealChain,
  weightsOf,
  type RealChain,
  type Subnet,
} from '../support/realchain';
import { random } from '../support/weight-cases';

let chain: RealChain;
let subnet: Subnet;

beforeAll(async () => {
  chain = await startRealChain();
  subnet = await prepareSubnet(chain, {
    miners: 5,
    hyperparameters: {
      WeightsSetRateLimit: 0,
      MinAllowedWeights: 2,
      MaxWeightsLimit: 21000,
      WeightsVersionKey: 0,
      CommitRevealWeightsEnabled: false,
    },
  });
}, 120_000);
afterAll(() => chain?.stop());

/** Sends a raw set_weights as the validator in its own block; the module error's name, if any. */
async function send(uids: number[], values: number[]): Promise<string | undefined> {
  const nonce = await nextNonce();
  chain.sealOnSubmit();
  try {
    return await new Promise<string | undefined>((resolve, reject) => {
      setTimeout(
        () => reject(new Error(`not in a block: ${JSON.stringify({ uids, values, nonce })}`)),
        15_000,
      );
      chain.api.tx.subtensorModule
        .setWeights(NETUID, uids, values, 0)
        .signAndSend(subnet.validator, { nonce }, (result) => {
          if (!result.status.isInBlock) return;
          const failure = result.dispatchError;
          resolve(
            failure?.isModule ? chain.api.registry.findMetaError(failure.asModule).name : undefined,
          );
        })
        .catch(reject);
    });
  } finally {
    chain.stopSealing();
  }
}

/** The validator's next nonce once the node's view has caught up with the last block. */
let used = -1;
async function nextNonce(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const next = (await chain.api.rpc.system.accountNextIndex(subnet.validator.address)).toNumber();
    if (next > used) return (used = next);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the nonce did not advance');
}

describe('the max-weight rule of the real runtime', () => {
  it('refuses the SDK vector of the issue-23 example; the publisher one lands', async () => {
    const uids = subnet.minerUids;
    expect(await send(uids, [65535, 65535, 36723, 26930, 9793])).toBe('MaxWeightExceeded');
    expect(await send(uids, [65535, 65535, 36724, 26930, 9793])).toBeUndefined();

    const scores = [0.35, 0.35, 0.15, 0.11, 0.04];
    const shares = Object.fromEntries(subnet.miners.map((m, i) => [m.address, scores[i]]));
    used = (await nextNonce()) - 1; // the publisher reads the same nonce
    chain.sealOnSubmit();
    try {
      const result = await publishWeights({
        shares,
        signer: subnet.validator,
        config: realchainPublishConfig(chain),
        log: recordingLogger(),
        sleep: async () => undefined,
      });
      expect(result.status).toMatch(LANDED);
      expect(result.allocation.map((row) => [row.uid, row.u16])).toEqual(
        uids.map((uid, i) => [uid, [65535, 65535, 36724, 26930, 9793][i]]),
      );
      expect(await weightsOf(chain, subnet.validatorUid)).toEqual(
        result.allocation.map((row) => [row.uid, row.u16]),
      );
      used += 1;
    } finally {
      chain.stopSealing();
    }
  });

  it('agrees with the check on random vectors: same refusals, and every publisher vector lands', async () => {
    const n = await neurons(chain);
    const rng = random(218);
    let sdkRefused = 0;
    let landed = 0;
    for (let i = 0; i < 8; i++) {
      const minw = rng.int(1, n);
      const limit = Math.min(65535, Math.round(65535 / rng.int(2, 6)) + rng.int(-40, 40));
      const scores = Array.from({ length: n }, () => (rng.next() < 0.6 ? rng.next() : 0));
      scores[rng.int(0, n - 1)] ||= 0.5;
      const rules = { neurons: n, minAllowedWeights: minw, maxWeightsLimit: limit };
      await chain.setStorage(
        hyperparameter('MinAllowedWeights', minw),
        hyperparameter('MaxWeightsLimit', limit),
      );
      const uids = scores.map((_, uid) => uid);
      const processed = processWeights(uids, scores, rules);
      const sdk = toU16Weights(processed.uids, processed.weights);
      const expected = checkWeights(sdk.uids, sdk.values, {
        ...rules,
        validatorUid: subnet.validatorUid,
      });
      expect(await send(sdk.uids, sdk.values)).toBe(expected);
      if (expected) sdkRefused++;
      const accepted = acceptedWeights(uids, scores, rules);
      if (!('weights' in accepted)) continue;
      expect(await send(accepted.weights.uids, accepted.weights.values)).toBeUndefined();
      expect(await weightsOf(chain, subnet.validatorUid)).toEqual(
        accepted.weights.uids.map((uid, j) => [uid, accepted.weights.values[j]]),
      );
      landed++;
    }
    console.log(`spec 218: ${landed} publisher vectors landed, ${sdkRefused} SDK vectors refused`);
    expect(landed).toBeGreaterThan(5);
  }, 300_000);
});
