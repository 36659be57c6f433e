// `npm start`: the main job on its embedded default. Starts the Firestore emulator through
// firebase-tools (offline, from the Google Cloud CLI's copy when there is one), loads sample
// leads and scores them. Needs no cloud account: the demo- project never reaches Google Cloud.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupLocalEmulators } from './emulators/setup.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (command, args, env = process.env) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

setupLocalEmulators();
run('npm', ['run', '--silent', 'build']);
run(
  'npx',
  [
    'firebase',
    'emulators:exec',
    '--only',
    'firestore',
    '--project',
    'demo-lead-weights',
    'node scripts/demo-score.mjs',
  ],
  { ...process.env, METADATA_SERVER_DETECTION: 'none', FIREBASE_CLI_EXPERIMENTS: '' },
);
