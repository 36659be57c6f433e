// A throwaway Firebase project directory with the built functions, and `firebase emulators:exec`
// run on it (Functions, Firestore and Cloud Tasks emulators on free ports, offline), for the
// end-to-end tests. A script given to `exec` runs once the emulators are up.
import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../scripts/emulators/firestore.mjs';
import { writeFunctionsEnv } from '../../scripts/emulators/functions-env.mjs';
import { setupLocalEmulators } from '../../scripts/emulators/setup.mjs';

const ROOT = resolve(__dirname, '../..');

export interface FunctionsProject {
  dir: string;
  functionsDir: string;
  functionsHost: string;
  /** Runs `script` (a shell command) under `firebase emulators:exec`; resolves to its output. */
  exec(script: string, env: Record<string, string>, timeoutMs: number): Promise<string>;
  remove(): void;
}

export async function functionsProject(
  projectId: string,
  params: Record<string, string>,
): Promise<FunctionsProject> {
  const dir = mkdtempSync(join(tmpdir(), 'lead-weights-functions-'));
  const functionsDir = join(dir, 'functions');
  mkdirSync(functionsDir);
  cpSync(join(ROOT, 'functions/lib'), join(functionsDir, 'lib'), { recursive: true });
  cpSync(join(ROOT, 'functions/package.json'), join(functionsDir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(functionsDir, 'node_modules'), 'dir');
  writeFunctionsEnv(functionsDir, projectId, params);
  writeFileSync(join(functionsDir, '.secret.local'), 'VALIDATOR_HOTKEY=//Alice\n');
  const ports = await Promise.all(Array.from({ length: 6 }, () => freePort()));
  const config = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8'));
  delete config.functions[0].predeploy;
  delete config.firestore;
  delete config.hosting;
  config.emulators = {
    singleProjectMode: true,
    firestore: { host: '127.0.0.1', port: ports[0], websocketPort: ports[1] },
    functions: { host: '127.0.0.1', port: ports[2] },
    hub: { host: '127.0.0.1', port: ports[3] },
    logging: { host: '127.0.0.1', port: ports[4] },
    tasks: { host: '127.0.0.1', port: ports[5] },
    ui: { enabled: false },
  };
  writeFileSync(join(dir, 'firebase.json'), JSON.stringify(config, null, 2));
  setupLocalEmulators();
  return {
    dir,
    functionsDir,
    functionsHost: `127.0.0.1:${ports[2]}`,
    exec: (script, env, timeoutMs) =>
      new Promise<string>((done, fail) => {
        execFile(
          join(ROOT, 'node_modules/.bin/firebase'),
          ['emulators:exec', '--only', 'functions,firestore,tasks', '--project', projectId, script],
          {
            cwd: dir,
            env: {
              ...process.env,
              ...env,
              METADATA_SERVER_DETECTION: 'none',
              CI: 'true',
              FIRESTORE_EMULATOR_HOST: undefined,
            },
            timeout: timeoutMs,
            maxBuffer: 64 * 1024 * 1024,
          },
          (error, stdout, stderr) =>
            error ? fail(new Error(`${error.message}\n${stdout}\n${stderr}`)) : done(stdout),
        );
      }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The JSON a scenario script printed after `marker`. */
export function scenarioResult<T>(output: string, marker: string): T {
  const line = output.split('\n').find((l) => l.includes(`${marker} `));
  if (!line) throw new Error(`no ${marker} line in:\n${output}`);
  return JSON.parse(line.slice(line.indexOf(`${marker} `) + marker.length + 1)) as T;
}
