/** `npm run devnet`: starts the devnet with the demo state and prints how to use it. */
import { parseArgs } from 'node:util';
import { DEMO_NETUID, loadDemoState } from './demo';
import { Devnet } from './devnet';
import { DEFAULT_RUNTIME_PROFILE, RUNTIME_PROFILES, runtimeProfile } from './profiles';

const USAGE = `Usage: devnet [options]

  --port <n>          WebSocket port (default 9944, as a local subtensor node)
  --block-time <ms>   Time between blocks (default 12000); blocks also come on demand
  --manual            Produce blocks only on demand (devnet_advanceBlocks)
  --finality-lag <n>  Blocks finality trails the best block (default 2)
  --state-window <n>  Keep state for queries only at the last n blocks, as a pruning node
                      (older: 4003 State already discarded); default: no window
  --netuid <n>        Demo subnet (default ${DEMO_NETUID})
  --runtime <profile> Runtime generation to mirror: ${RUNTIME_PROFILES.join(', ')} (default ${DEFAULT_RUNTIME_PROFILE})
  --omit <items>      Leave items out of the metadata, comma-separated: Pallet, Pallet.StorageItem,
                      Pallet.call_name (e.g. SubtensorModule.Tempo,Drand)
  -h, --help          Show this help`;

/** Resolves to an exit code on a usage error; otherwise runs until interrupted. */
export async function main(argv: string[]): Promise<number | undefined> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '9944' },
        'block-time': { type: 'string', default: '12000' },
        manual: { type: 'boolean', default: false },
        'finality-lag': { type: 'string', default: '2' },
        'state-window': { type: 'string' },
        netuid: { type: 'string', default: String(DEMO_NETUID) },
        runtime: { type: 'string', default: DEFAULT_RUNTIME_PROFILE },
        omit: { type: 'string', default: '' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`devnet: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const numbers = ['port', 'block-time', 'finality-lag', 'netuid', 'state-window'] as const;
  for (const name of numbers) {
    const value = values[name];
    if (value !== undefined && !/^\d+$/.test(value)) {
      process.stderr.write(`devnet: --${name} needs a whole number, got "${values[name]}"\n`);
      return 2;
    }
  }
  let profile;
  try {
    profile = runtimeProfile(values.runtime);
  } catch (error) {
    process.stderr.write(`devnet: --runtime: ${(error as Error).message}\n`);
    return 2;
  }
  const omit = values.omit
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  let devnet;
  try {
    devnet = await Devnet.start({
      port: Number(values.port),
      blockTimeMs: Number(values['block-time']),
      finalityLag: Number(values['finality-lag']),
      stateWindow: values['state-window'] === undefined ? null : Number(values['state-window']),
      autoBlocks: !values.manual,
      runtime: profile.name,
      omit,
    });
  } catch (error) {
    if (!(error as Error).message.startsWith('omit:')) throw error;
    process.stderr.write(`devnet: --${(error as Error).message}\n`);
    return 2;
  }
  const accounts = await loadDemoState(devnet.controls, Number(values.netuid));
  process.stdout.write(`devnet: local subtensor chain (weight-setting subset)
  endpoint   ${devnet.url}
  genesis    ${devnet.chain.genesisHash}
  runtime    ${profile.name} (spec ${devnet.chain.runtime.version.specVersion}): ${profile.mirrors}${omit.length ? `\n  omitted    ${omit.join(', ')}` : ''}
  blocks     ${values.manual ? 'on demand (devnet_advanceBlocks)' : `every ${values['block-time']} ms`}, finality ${values['finality-lag']} behind${values['state-window'] === undefined ? '' : `, state kept for ${values['state-window']} blocks`}
  subnet     ${values.netuid} (tempo 10, rate limit 5 blocks, commit-reveal off)

Dev accounts (well-known development keys, never use them on a real network):
${accounts.map((a) => `  uid ${String(a.uid).padEnd(3)} ${a.role.padEnd(9)} ${a.uri.padEnd(9)} ${a.address}`).join('\n')}

Ctrl-C stops it.
`);
  devnet.chain.on('log', (line: string) => process.stdout.write(`devnet: ${line}\n`));
  const stop = () => void devnet.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return undefined;
}
