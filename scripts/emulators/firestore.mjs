// Starts the Firestore emulator directly (no firebase-tools process): ready in ~2.5 s, on a
// free port so that concurrent runs never collide. Used by the tests and the benchmarks.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { firestoreEmulatorJar, setupLocalEmulators } from './setup.mjs';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;

/** Options are for tests of the setup itself; see setupLocalEmulators. */
export async function startFirestoreEmulator(options = {}) {
  const jar = ensureFirestoreJar(options);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(jar, port);
    } catch (error) {
      // Another process may have taken the port between our probe and the emulator's bind.
      if (attempt >= 3) throw error;
    }
  }
}

function ensureFirestoreJar(options) {
  setupLocalEmulators(options);
  const jar = firestoreEmulatorJar(options.cacheDir);
  if (!existsSync(jar)) {
    // No gcloud copy on this machine: let firebase-tools download its own, as it normally would.
    const result = spawnSync('npx', ['firebase', 'setup:emulators:firestore'], {
      stdio: 'inherit',
      env: { ...process.env, FIREBASE_EMULATORS_PATH: dirname(jar) },
    });
    if (result.status !== 0 || !existsSync(jar)) {
      throw new Error(`Firestore emulator JAR not available at ${jar}`);
    }
  }
  return jar;
}

async function launch(jar, port) {
  const child = spawn('java', ['-jar', jar, '--host', HOST, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const host = `${HOST}:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answersOk(host))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Firestore emulator did not start on ${host}:\n${output}`);
    }
    await sleep(100);
  }
  return {
    host,
    pid: child.pid,
    async stop() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

async function answersOk(host) {
  try {
    const response = await fetch(`http://${host}/`);
    return response.ok && (await response.text()).trim() === 'Ok';
  } catch {
    return false;
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
