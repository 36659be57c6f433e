// Installs the project's dependencies when they are missing or older than the lockfile, so that
// `npm test` and `npm start` work on a fresh clone with nothing run before them.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const installed = join(root, 'node_modules', '.package-lock.json');
const manifests = ['package-lock.json', 'package.json', 'functions/package.json'].map((f) =>
  join(root, f),
);

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);
const stale = !existsSync(installed) || manifests.some((m) => mtime(m) > mtime(installed));

if (stale) {
  const args = existsSync(installed) ? ['install'] : ['ci'];
  console.log(`Installing dependencies (npm ${args.join(' ')})...`);
  // Errors only: the known warnings are explained in the README (chopsticks declares Node ≥ 22
  // and is tested on 20 here; deprecation notices of transitive dependencies).
  const result = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
