// What `firebase deploy` uploads, functions/ alone, installs from its own lockfile to the tree the
// tests ran on, and loads (issue 12, finding 9: without a lockfile, Cloud Build resolved the
// version ranges afresh at each deploy).
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { functionsLockDifferences } from '../../scripts/functions-lock.mjs';

const run = promisify(execFile);
const FUNCTIONS = join(__dirname, '..', '..', 'functions');
let folder: string | undefined;

afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('the deployed functions package', () => {
  it('has a lockfile that is the tested tree (node scripts/functions-lock.mjs --write)', () => {
    expect(functionsLockDifferences()).toEqual([]);
  });

  it('installs alone with npm ci --omit=dev, from the npm cache, and loads', async () => {
    expect(existsSync(join(FUNCTIONS, 'lib', 'index.js')), 'build first: npm run build').toBe(true);
    folder = await mkdtemp(join(tmpdir(), 'functions-alone-'));
    // What firebase.json uploads: the folder without node_modules, built.
    for (const entry of ['package.json', 'package-lock.json', 'bin', 'lib']) {
      const from = join(FUNCTIONS, entry);
      if (existsSync(from)) await cp(from, join(folder, entry), { recursive: true });
    }
    // Offline: the root install filled the cache with these very versions.
    await run(
      'npm',
      ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund', '--loglevel=error'],
      { cwd: folder },
    );
    const lock = JSON.parse(await readFile(join(folder, 'package-lock.json'), 'utf8'));
    for (const name of ['@polkadot/api', 'firebase-admin', 'firebase-functions']) {
      const installed = JSON.parse(
        await readFile(join(folder, 'node_modules', name, 'package.json'), 'utf8'),
      );
      expect(installed.version).toBe(lock.packages[`node_modules/${name}`].version);
    }
    // The same exports as the tested tree's build, loaded there from the root node_modules.
    const exportsOf = async (cwd: string) =>
      (
        await run(
          process.execPath,
          ['-e', 'console.log(Object.keys(require("./lib/index.js")).sort().join(" "))'],
          { cwd },
        )
      ).stdout.trim();
    const alone = await exportsOf(folder);
    expect(alone).toContain('publishWeightsTask');
    expect(alone).toBe(await exportsOf(FUNCTIONS));
    const help = await run(process.execPath, ['bin/weights.js', '--help'], { cwd: folder });
    expect(help.stdout).toContain('Usage: weights <command>');
  }, 180_000);
});
