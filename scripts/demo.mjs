// `npm start`: the main job on its embedded default, offline, with no cloud account. Starts devnet
// (a local subtensor chain) and the Firestore, Functions, Pub/Sub and Cloud Tasks emulators with
// the built functions, and the Auth and Hosting emulators with the weight-history dashboard; loads
// sample leads, whose curated-lead triggers publish weights on devnet; shows the
// weight_transactions documents as they are written; and keeps running so that more leads can be
// written with `npm run lead` (see README).
//
// The emulators' data is kept in .demo/data across restarts (imported at start, exported while
// running and at exit), as history is kept in production; `npm run demo:reset` forgets it. The
// emulators run in one process group of their own, stopped on exit, Ctrl-C or a crash; after a
// `kill -9` of this process, the next start finds that group by .demo/emulators.pid and stops it
// (letting it export first), so a restart needs no manual cleanup.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFunctionsEnv } from './emulators/functions-env.mjs';
import { setupLocalEmulators } from './emulators/setup.mjs';

export const DEMO_PROJECT = 'demo-lead-weights';
export const DEVNET_PORT = 9944;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const state = join(root, '.demo');
const dataDir = join(state, 'data');
const pidFile = join(state, 'emulators.pid');

const alive = (pgid) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Stops the emulators a previous start left running (it was killed): SIGINT first, so they export. */
async function stopLeftovers() {
  if (!existsSync(pidFile)) return;
  const pgid = Number(readFileSync(pidFile, 'utf8'));
  if (Number.isInteger(pgid) && pgid > 1 && alive(pgid)) {
    console.log(
      `Stopping the emulators a previous npm start left running (process group ${pgid})…`,
    );
    process.kill(-pgid, 'SIGINT');
    for (let i = 0; i < 300 && alive(pgid); i++) await new Promise((r) => setTimeout(r, 100));
    if (alive(pgid)) process.kill(-pgid, 'SIGKILL');
  }
  rmSync(pidFile, { force: true });
}

const run = (command, args, env = process.env) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

if (process.argv.includes('--reset')) {
  await stopLeftovers();
  rmSync(state, { recursive: true, force: true });
  console.log('Demo state forgotten (.demo removed).');
  process.exit(0);
}

await stopLeftovers();
console.log('Building the functions, devnet and the dashboard…');
run('npm', ['run', '--silent', 'build']);
console.log('Starting devnet, then the emulators (about 20 s)…');
setupLocalEmulators();
mkdirSync(dataDir, { recursive: true });
const restoring = existsSync(join(dataDir, 'firebase-export-metadata.json'));

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
// The health webhook's secret (bound to scheduledPublish): a file from before it lacks it, and the
// emulator would then ask Secret Manager. `none`: no webhook.
const secrets = readFileSync(join(functions, '.secret.local'), 'utf8');
if (!/^HEALTH_WEBHOOK_URL=/m.test(secrets)) {
  writeFileSync(
    join(functions, '.secret.local'),
    `${secrets.endsWith('\n') || secrets === '' ? secrets : `${secrets}\n`}HEALTH_WEBHOOK_URL=none\n`,
  );
  console.log('functions/.secret.local: HEALTH_WEBHOOK_URL=none added (no health webhook)');
}

const child = spawn(
  'npx',
  [
    'firebase',
    'emulators:exec',
    '--only',
    'functions,firestore,pubsub,tasks,auth,hosting',
    '--project',
    DEMO_PROJECT,
    ...(restoring ? ['--import', dataDir] : []),
    '--export-on-exit',
    dataDir,
    // exec: the shell firebase-tools runs the script in becomes node, so a stop reaches node
    // itself (a clean exit) instead of killing the shell ("Script exited with signal").
    'exec node scripts/demo-run.mjs',
  ],
  {
    cwd: root,
    stdio: 'inherit',
    // Its own process group: stopped as one, and found again after a crash of this process.
    detached: true,
    env: {
      DEMO_DATA_DIR: dataDir,
      ...process.env,
      METADATA_SERVER_DETECTION: 'none',
      DEVNET_URL: devnet.url,
      DEMO_NETUID: String(DEMO_NETUID),
    },
  },
);
writeFileSync(pidFile, String(child.pid));
if (restoring) console.log(`Restoring the previous run's emulator data from ${dataDir}`);
// Ctrl-C in a terminal reaches this process (and npm, which passes it on again: npm start execs
// this script); a process manager sends SIGTERM to npm, which passes it on. Either way the
// emulators' group is asked once to stop (and to export), and a stop asked for ends with 0.
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping the emulators (exporting the audit trail first)…');
  if (alive(child.pid)) process.kill(-child.pid, 'SIGINT');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.once('uncaughtException', (error) => {
  console.error(error);
  stop();
  process.exitCode = 1;
});
child.on('exit', async (code) => {
  rmSync(pidFile, { force: true });
  await devnet.stop();
  if (stopping && process.exitCode === undefined) {
    console.log('Stopped.');
    process.exit(0);
  }
  process.exit(code ?? 0);
});
