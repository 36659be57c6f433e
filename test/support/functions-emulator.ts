// A throwaway Firebase project directory with the built functions, and `firebase emulators:exec`
// run on it (Functions, Firestore and Cloud Tasks emulators on free ports, offline), for the
// end-to-end tests. A script given to `exec` runs once the emulators are up.
import { execFile, spawn } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
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
  firestoreHost: string;
  hubHost: string;
  /** The Cloud Tasks emulator, for a process outside the emulators that enqueues (the CLI). */
  tasksHost: string;
  /** Runs `script` (a shell command) under `firebase emulators:exec`; resolves to its output. */
  exec(script: string, env: Record<string, string>, timeoutMs: number): Promise<string>;
  /**
   * Starts the emulators and keeps them running (under `emulators:exec`, with a script that waits)
   * until `stop()`: the test drives them from outside, through their ports.
   */
  start(env?: Record<string, string>, args?: string[]): Promise<RunningEmulators>;
  remove(): void;
}

export interface RunningEmulators {
  /** The firebase CLI process (leader of its own process group). */
  pid: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Ends the waiting script, so the emulators shut down; resolves to the exit code. */
  stop(): Promise<number | null>;
  /**
   * SIGKILLs the CLI's process group (the CLI, the function workers) and every process under it
   * (the Firestore emulator runs in a group of its own): a crash of everything at once.
   */
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

export async function functionsProject(
  projectId: string,
  params: Record<string, string>,
): Promise<FunctionsProject> {
  const dir = mkdtempSync(join(tmpdir(), 'lead-weights-functions-'));
  const functionsDir = join(dir, 'functions');
  mkdirSync(functionsDir);
  // E2E_FUNCTIONS_LIB: another build of the functions (another commit's, say) instead of functions/lib.
  const lib = process.env.E2E_FUNCTIONS_LIB ?? join(ROOT, 'functions/lib');
  cpSync(lib, join(functionsDir, 'lib'), { recursive: true });
  cpSync(join(ROOT, 'functions/package.json'), join(functionsDir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(functionsDir, 'node_modules'), 'dir');
  writeFunctionsEnv(functionsDir, projectId, params);
  // HEALTH_WEBHOOK_URL is bound to scheduledPublish: without a value here the emulator would ask
  // Secret Manager for it. `none`: no webhook (a test writes its receiver's URL instead).
  writeFileSync(
    join(functionsDir, '.secret.local'),
    'VALIDATOR_HOTKEY=//Alice\nHEALTH_WEBHOOK_URL=none\n',
  );
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
  const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
    ...process.env,
    ...extra,
    METADATA_SERVER_DETECTION: 'none',
    CI: 'true',
    FIRESTORE_EMULATOR_HOST: undefined,
  });
  const args = (script: string, extra: string[] = []) => [
    'emulators:exec',
    '--only',
    'functions,firestore,tasks',
    '--project',
    projectId,
    ...extra,
    script,
  ];
  return {
    dir,
    functionsDir,
    functionsHost: `127.0.0.1:${ports[2]}`,
    firestoreHost: `127.0.0.1:${ports[0]}`,
    hubHost: `127.0.0.1:${ports[3]}`,
    tasksHost: `127.0.0.1:${ports[5]}`,
    start: async (extra = {}, extraArgs = []) => {
      const stopFile = join(dir, `stop-${Date.now()}`);
      const hold = `node -e "const f=process.argv[1];console.log('EMULATORS_READY');setInterval(()=>{if(require('fs').existsSync(f))process.exit(0)},100)" ${stopFile}`;
      const child = spawn(join(ROOT, 'node_modules/.bin/firebase'), args(hold, extraArgs), {
        cwd: dir,
        env: env(extra),
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += String(chunk)));
      child.stderr.on('data', (chunk) => (output += String(chunk)));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const pid = child.pid;
      if (pid === undefined) throw new Error('firebase emulators:exec did not start');
      const until = Date.now() + 120_000;
      while (!output.includes('EMULATORS_READY')) {
        if (child.exitCode !== null || Date.now() > until)
          throw new Error(`the emulators did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const kill = async () => {
        const under = descendants(pid);
        if (child.exitCode === null) process.kill(-pid, 'SIGKILL');
        for (const each of under) {
          try {
            process.kill(each, 'SIGKILL');
          } catch {
            // ended with its group
          }
        }
        await exited;
      };
      return {
        pid,
        output: () => output,
        exited,
        kill,
        stop: async () => {
          writeFileSync(stopFile, '');
          const code = await Promise.race([
            exited,
            new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 60_000)),
          ]);
          if (code !== 'late') return code;
          await kill();
          return null;
        },
      };
    },
    exec: (script, extraEnv, timeoutMs) =>
      new Promise<string>((done, fail) => {
        execFile(
          join(ROOT, 'node_modules/.bin/firebase'),
          args(script),
          {
            cwd: dir,
            env: env(extraEnv),
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

/** Pids of the processes under `root` (from /proc), `root` excluded. */
export function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended meanwhile
    }
  }
  const under = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p))
      if (p === root) return true;
    return false;
  };
  return [...parents.keys()].filter(under);
}

/** The JSON a scenario script printed after `marker`. */
export function scenarioResult<T>(output: string, marker: string): T {
  const line = output.split('\n').find((l) => l.includes(`${marker} `));
  if (!line) throw new Error(`no ${marker} line in:\n${output}`);
  return JSON.parse(line.slice(line.indexOf(`${marker} `) + marker.length + 1)) as T;
}
