// The Hosting, Auth and Firestore emulators of firebase-tools, as `npm start` runs them, for the
// browser tests: a throwaway project directory with the repository's hosting config (serving the
// built web/dist) and security rules, every port free, stopped by the process id it started.
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../../scripts/emulators/firestore.mjs';
import { setupLocalEmulators } from '../../../scripts/emulators/setup.mjs';

const ROOT = resolve(__dirname, '../../..');
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 90_000;

export interface WebEmulators {
  projectId: string;
  /** The dashboard, served by the Hosting emulator. */
  url: string;
  authHost: string;
  firestoreHost: string;
  stop(): Promise<void>;
}

export async function startWebEmulators(projectId: string): Promise<WebEmulators> {
  setupLocalEmulators();
  const dir = mkdtempSync(join(tmpdir(), 'lead-weights-web-'));
  const repoConfig = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8'));
  const [hosting, auth, firestore, websocket, hub, logging] = await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  );
  copyFileSync(join(ROOT, 'firestore.rules'), join(dir, 'firestore.rules'));
  // The Hosting emulator serves a folder inside the project directory (an absolute path 404s).
  symlinkSync(join(ROOT, repoConfig.hosting.public), join(dir, 'public'), 'dir');
  const config = {
    hosting: { ...repoConfig.hosting, public: 'public' },
    firestore: { rules: 'firestore.rules' },
    emulators: {
      singleProjectMode: true,
      hosting: { host: HOST, port: hosting },
      auth: { host: HOST, port: auth },
      firestore: { host: HOST, port: firestore, websocketPort: websocket },
      hub: { host: HOST, port: hub },
      logging: { host: HOST, port: logging },
      ui: { enabled: false },
    },
  };
  delete config.hosting.predeploy;
  writeFileSync(join(dir, 'firebase.json'), JSON.stringify(config, null, 2));

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CI: 'true',
    METADATA_SERVER_DETECTION: 'none',
  };
  delete env.FIRESTORE_EMULATOR_HOST;
  delete env.FIREBASE_AUTH_EMULATOR_HOST;
  const child = spawn(
    join(ROOT, 'node_modules/.bin/firebase'),
    ['emulators:start', '--only', 'hosting,auth,firestore', '--project', projectId],
    // Its own process group, so that its Java child can be stopped with it if it hangs.
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timer = setTimeout(() => {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const ready = await Promise.race([
    waitFor(() => output.includes('All emulators ready'), READY_TIMEOUT_MS),
    exited.then(() => false),
  ]);
  if (!ready) {
    await stop();
    throw new Error(`firebase emulators:start did not get ready:\n${output}`);
  }
  return {
    projectId,
    url: `http://${HOST}:${hosting}/`,
    authHost: `${HOST}:${auth}`,
    firestoreHost: `${HOST}:${firestore}`,
    stop,
  };
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}
