/**
 * The demo state `npm run devnet` starts with: subnet 401 with the validator's dev hotkey (//Alice)
 * registered as uid 0 with a validator permit and stake, and the miners //Bob … //Ferdie.
 * Registration sets LastUpdate to its block, as on chain, so the chain then moves past the rate
 * limit (as a validator waits after registering): the validator may set weights in the next block.
 */
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { Controls } from './controls';

export const DEMO_NETUID = 401;
export const DEMO_VALIDATOR = '//Alice';
export const DEMO_MINERS = ['//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'];
const DEMO_RATE_LIMIT = 5;

export interface DevAccount {
  uri: string;
  address: string;
  uid: number;
  role: 'validator' | 'miner';
}

export async function loadDemoState(
  controls: Controls,
  netuid = DEMO_NETUID,
): Promise<DevAccount[]> {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const address = (uri: string) => keyring.addFromUri(uri).address;
  const validator = address(DEMO_VALIDATOR);
  controls.createSubnet({
    netuid,
    tempo: 10,
    weightsSetRateLimit: DEMO_RATE_LIMIT,
    commitRevealWeightsEnabled: false,
    owner: validator,
  });
  const accounts: DevAccount[] = [];
  for (const [uri, role] of [
    [DEMO_VALIDATOR, 'validator'] as const,
    ...DEMO_MINERS.map((m) => [m, 'miner'] as const),
  ]) {
    const { uid } = controls.registerNeuron(netuid, address(uri));
    accounts.push({ uri, address: address(uri), uid, role });
  }
  controls.setValidatorPermit(netuid, 0, true);
  controls.setStake(netuid, validator, 1_000_000_000_000);
  // Registered in the next block; weights are allowed from that block + the rate limit.
  controls.advanceBlocks(DEMO_RATE_LIMIT);
  return accounts;
}
