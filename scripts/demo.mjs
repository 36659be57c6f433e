// `npm start`: the main job on its embedded default, offline, with no cloud account. Starts devnet
// (a local subtensor chain) and the Firestore, Functions, Pub/Sub and Cloud Tasks emulators with
// the built functions; loads sample leads, whose curated-lead triggers publish weights on devnet;
// shows the weight_transactions documents as they are written; and keeps running so that more
// leads can be written with `npm run lead` (see README).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFunctionsEnv } from './emulators/functions-env.mjs';
import { setupLocalEmulators } from './emulators/setup.mjs';

export const DEMO_PROJECT = 'demo-lead-weights';
export const DEVNET_PORT = 9944;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const run = (command, args, env = process.env) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run('npm', ['run', '--silent', 'build']);
setupLocalEmulators();

const { Devnet } = require('../devnet/lib/devnet.js');
const { loadDemoState, DEMO_NETUID } = require('../devnet/lib/demo.js');
const devnet = await Devnet.start({ port: DEVNET_PORT, blockTimeMs: 3000, autoBlocks: true });
const accounts = await loadDemoState(devnet.controls);
console.log(
  `devnet: ${devnet.url}, subnet ${DEMO_NETUID}, validator ${accounts[0].address} (//Alice)`,
);

const functions = join(root, 'functions');
writeFunctionsEnv(functions, DEMO_PROJECT, {
  SUBTENSOR_NETWORK: devnet.url,
  NETUID: String(DEMO_NETUID),
});
if (!existsSync(join(functions, '.secret.local'))) {
  copyFileSync(join(functions, '.secret.local.example'), join(functions, '.secret.local'));
  console.log('functions/.secret.local created from the example (the //Alice development key)');
}

const child = spawn(
  'npx',
  [
    'firebase',
    'emulators:exec',
    '--only',
    'functions,firestore,pubsub,tasks',
    '--project',
    DEMO_PROJECT,
    'node scripts/demo-run.mjs',
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      METADATA_SERVER_DETECTION: 'none',
      DEVNET_URL: devnet.url,
      DEMO_NETUID: String(DEMO_NETUID),
    },
  },
);
const stop = () => child.kill('SIGINT');
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
child.on('exit', async (code) => {
  await devnet.stop();
  process.exit(code ?? 0);
});
