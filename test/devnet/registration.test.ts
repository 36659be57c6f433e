// Registration and the weights rate limit, as the runtime has them: registering a neuron sets its
// LastUpdate to the registration block (append_neuron, in every generation; measured on the real
// spec-218 runtime), so a validator registered just now may set weights only WeightsSetRateLimit
// blocks later. A replaced uid's entry follows the generation: replace_neuron of the current source
// sets it to the registration block too, the spec-218 generation's leaves it as it was.
import type { KeyringPair } from '@polkadot/keyring/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_PROFILES, runtimeProfile } from '../../devnet/src/profiles';
import { publishWeights } from '../../functions/src/publishing/publish';
import {
  devnetPublishConfig,
  sealOnSubmit,
  startTestChain,
  submit,
  type TestChain,
} from '../support/devnet';
import { recordingLogger } from '../support/logger';

const LIMIT = 5;

describe.each(RUNTIME_PROFILES)('registration on the %s runtime profile', (runtime) => {
  const profile = runtimeProfile(runtime);
  let chain: TestChain;
  let netuid = 20;
  beforeAll(async () => {
    chain = await startTestChain({ runtime });
  });
  afterAll(() => chain.stop());

  const best = async () => (await chain.api.rpc.chain.getHeader()).number.toNumber();
  const lastUpdate = async (subnet: number) =>
    (await chain.api.query.subtensorModule.lastUpdate(subnet)).toJSON() as number[];
  const pair = (uri: string) => chain.keyring.addFromUri(uri);

  /** A new subnet without neurons, commit-reveal off, rate limit LIMIT. */
  async function newSubnet(params: Record<string, unknown> = {}): Promise<number> {
    netuid += 1;
    await chain.control('createSubnet', {
      netuid,
      commitRevealWeightsEnabled: false,
      weightsSetRateLimit: LIMIT,
      ...params,
    });
    await chain.advance();
    return netuid;
  }

  it('sets LastUpdate of a registered uid to the registration block', async () => {
    const subnet = await newSubnet();
    await chain.control('registerNeuron', subnet, chain.alice.address);
    await chain.control('registerNeuron', subnet, pair('//Reg1').address);
    await chain.advance();
    const first = await best(); // the block the registrations landed in
    await chain.advance(3);
    await chain.control('registerNeurons', subnet, [
      pair('//Reg2').address,
      pair('//Reg3').address,
    ]);
    await chain.advance();
    const second = await best();
    expect(await lastUpdate(subnet)).toEqual([first, first, second, second]);
  });

  it('refuses weights from a neuron registered just now until the rate limit has passed', async () => {
    const subnet = await newSubnet();
    const miner = pair('//RegMiner');
    await chain.control('registerNeuron', subnet, chain.alice.address);
    await chain.control('registerNeuron', subnet, miner.address);
    await chain.control('setValidatorPermit', subnet, 0, true);
    await chain.control('setStake', subnet, chain.alice.address, 1_000_000_000);
    await chain.advance();
    const registered = await best();
    const setWeights = () => chain.api.tx.subtensorModule.setWeights(subnet, [1], [1], 0);
    // The next block is registered + 1: too soon.
    expect((await submit(chain, setWeights(), chain.alice)).error).toBe(
      'subtensorModule.SettingWeightsTooFast',
    );
    await chain.advance(registered + LIMIT - 1 - (await best()));
    // Lands in block registered + LIMIT: allowed.
    const outcome = await submit(chain, setWeights(), chain.alice);
    expect(outcome.error).toBeUndefined();
    const header = await chain.api.rpc.chain.getHeader(outcome.blockHash);
    expect(header.number.toNumber()).toBe(registered + LIMIT);
  });

  it(`a replaced uid's LastUpdate: ${profile.replacedLastUpdate}`, async () => {
    const subnet = await newSubnet({ maxAllowedUids: 2 });
    const [old, usurper] = [pair('//Replaced'), pair('//Usurper')];
    await chain.control('registerNeuron', subnet, chain.alice.address);
    await chain.control('registerNeuron', subnet, old.address);
    await chain.advance(LIMIT + 1);
    // The old neuron sets a lone self-weight (no permit needed): its LastUpdate is that block.
    const own = await submit(
      chain,
      chain.api.tx.subtensorModule.setWeights(subnet, [1], [1], 0),
      old,
    );
    expect(own.error).toBeUndefined();
    const weightsBlock = (await chain.api.rpc.chain.getHeader(own.blockHash)).number.toNumber();
    expect((await lastUpdate(subnet))[1]).toBe(weightsBlock);
    await chain.advance(2);
    await chain.control('registerNeuron', subnet, usurper.address, 1);
    await chain.advance();
    const replacedAt = await best();
    expect((await chain.api.query.subtensorModule.keys(subnet, 1)).toString()).toBe(
      usurper.address,
    );
    expect((await lastUpdate(subnet))[1]).toBe(
      profile.replacedLastUpdate === 'registration-block' ? replacedAt : weightsBlock,
    );
  });
});

describe.each(RUNTIME_PROFILES)(
  "the publisher's pre-check on the %s runtime profile",
  (runtime) => {
    let chain: TestChain;
    let miners: KeyringPair[];
    const NETUID = 30;
    beforeAll(async () => {
      // Finality one block behind: the publish reports inclusion, not finality.
      chain = await startTestChain({ runtime, finalityLag: 1 });
      sealOnSubmit(chain);
    });
    afterAll(() => chain.stop());

    const publish = () =>
      publishWeights({
        shares: { [miners[0].address]: 0.6, [miners[1].address]: 0.4 },
        signer: chain.alice,
        config: devnetPublishConfig(chain, NETUID),
        log: recordingLogger(),
        sleep: async () => undefined,
      });

    it('a validator registered just now is rate-limited until registration block + rate limit', async () => {
      await chain.control('createSubnet', {
        netuid: NETUID,
        commitRevealWeightsEnabled: false,
        weightsSetRateLimit: LIMIT,
      });
      miners = [chain.keyring.addFromUri('//PreMiner1'), chain.keyring.addFromUri('//PreMiner2')];
      for (const hotkey of [chain.alice.address, ...miners.map((m) => m.address)])
        await chain.control('registerNeuron', NETUID, hotkey);
      await chain.control('setValidatorPermit', NETUID, 0, true);
      await chain.control('setStake', NETUID, chain.alice.address, 1_000_000_000);
      await chain.advance();
      const registered = (await chain.api.rpc.chain.getHeader()).number.toNumber();
      const nonce = async () =>
        (await chain.api.rpc.system.accountNextIndex(chain.alice.address)).toNumber();
      const before = await nonce();

      const refused = await publish();
      expect(refused).toMatchObject({
        status: 'rate-limited',
        error_code: 'SettingWeightsTooFast',
        next_allowed_block: registered + LIMIT,
      });
      expect(await nonce()).toBe(before); // nothing was sent

      // Once the chain is one block short of it, the weights land in that very block.
      await chain.advance(LIMIT - 1);
      const included = await publish();
      expect(included).toMatchObject({ status: 'included', block_number: registered + LIMIT });
    });
  },
);
