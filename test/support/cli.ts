// The `weights` command line run as an operator runs it: a child process, with its own
// environment over this process's (an `undefined` value removes a variable).
import { execFile, type ChildProcess } from 'node:child_process';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

type Env = Record<string, string | undefined>;

const command = (args: string[], viaNpx: boolean): [string, string[]] =>
  viaNpx
    ? ['npx', ['weights', ...args]]
    : [process.execPath, ['functions/bin/weights.js', ...args]];

/** Starts `weights <args>`; the caller may kill it (a crash, say). */
export function spawnWeights(args: string[], env: Env = {}, viaNpx = false): ChildProcess {
  const [file, argv] = command(args, viaNpx);
  return execFile(file, argv, { env: { ...process.env, ...env } });
}

/** Runs `weights <args>` to its end. */
export function runWeights(args: string[], env: Env = {}, viaNpx = false): Promise<CliRun> {
  const [file, argv] = command(args, viaNpx);
  return new Promise((resolve) => {
    execFile(file, argv, { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
