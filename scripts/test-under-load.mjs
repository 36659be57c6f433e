// Runs the test suite several times in a row while CPU-bound processes run beside it, to show
// that no test depends on the machine being idle (issue 20). Prints one line per run and a
// summary; exits non-zero if any run failed.
//
//   node scripts/test-under-load.mjs [--runs 3] [--burners 2] [-- <command>]
//
// The default command is the README's: npm test. Burners are plain busy loops started here and
// stopped by their own PIDs when the runs end (or on Ctrl-C).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    burners: { type: 'string', default: '2' },
  },
  allowPositionals: true,
});
const runs = Number(values.runs);
const command = positionals.length ? positionals : ['npm', 'test'];

const burners = Array.from({ length: Number(values.burners) }, () =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
);
const stopBurners = () => {
  for (const burner of burners) if (burner.exitCode === null) burner.kill('SIGKILL');
};
process.on('SIGINT', () => {
  stopBurners();
  process.exit(130);
});

const results = [];
try {
  for (let run = 1; run <= runs; run++) {
    const started = Date.now();
    const code = await new Promise((resolve) => {
      const child = spawn(command[0], command.slice(1), { cwd: root, stdio: 'inherit' });
      child.on('exit', (exitCode) => resolve(exitCode ?? 1));
    });
    const seconds = (Date.now() - started) / 1000;
    results.push({ run, code, seconds });
    console.log(
      `test under load: run ${run}/${runs} ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds.toFixed(0)} s, ${burners.length} busy processes beside it`,
    );
  }
} finally {
  stopBurners();
}
console.log(
  `test under load: ${results.filter((r) => r.code === 0).length}/${runs} passed; wall times ${results.map((r) => `${r.seconds.toFixed(0)} s`).join(', ')}`,
);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
