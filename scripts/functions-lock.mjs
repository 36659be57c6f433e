// The functions package's own lockfile, functions/package-lock.json. `firebase deploy` uploads
// functions/ alone and Cloud Build installs it with `npm ci`: without a lockfile there, every
// deploy resolved the version ranges afresh (a broken @polkadot/api 17 would have been taken the
// day it was published). The tests run on the tree of the root lockfile, so the functions
// lockfile is that tree as seen from functions/: written from it, and checked against it.
//
//   node scripts/functions-lock.mjs           exit 1, with the differences, when out of sync
//   node scripts/functions-lock.mjs --write   (re)writes functions/package-lock.json
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORKSPACE = 'functions';
export const FUNCTIONS_LOCK = join(ROOT, WORKSPACE, 'package-lock.json');

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** Where Node looks for `name` from the package at `from` (a lockfile path), nearest first. */
function* lookups(from, name) {
  let base = from;
  for (;;) {
    yield base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (base === '') return;
    const nested = base.lastIndexOf('/node_modules/');
    base = nested < 0 ? '' : base.slice(0, nested);
  }
}

/** What a package needs installed: its dependencies, optional ones and required peers. */
function needs(entry) {
  const optionalPeers = Object.entries(entry.peerDependenciesMeta ?? {})
    .filter(([, meta]) => meta.optional)
    .map(([name]) => name);
  const peers = Object.keys(entry.peerDependencies ?? {}).filter((n) => !optionalPeers.includes(n));
  return [
    ...Object.keys(entry.dependencies ?? {}).map((name) => ({ name, optional: false })),
    ...Object.keys(entry.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
    ...peers.map((name) => ({ name, optional: false })),
  ];
}

/**
 * The lockfile paths installed for the workspace, as the root tree has them, from the given
 * top-level dependency names.
 */
function reachable(packages, topLevel) {
  const found = new Set();
  const queue = [];
  const visit = (from, { name, optional }) => {
    let path = [...lookups(from, name)].find((candidate) => packages[candidate]);
    if (path === undefined) {
      if (optional) return;
      throw new Error(`${from || 'the root'} needs ${name}, which the root lockfile lacks`);
    }
    if (packages[path].link) path = packages[path].resolved;
    if (path.startsWith(`${WORKSPACE}/`)) {
      throw new Error(`${path} is installed under functions/: not supported by this script`);
    }
    if (!found.has(path)) {
      found.add(path);
      queue.push(path);
    }
  };
  for (const name of topLevel) visit(WORKSPACE, { name, optional: false });
  while (queue.length) {
    const from = queue.shift();
    for (const need of needs(packages[from])) visit(from, need);
  }
  return found;
}

/** functions/package-lock.json as the root lockfile says it must be. */
export function functionsLockfile() {
  const root = readJson(join(ROOT, 'package-lock.json'));
  const manifest = readJson(join(ROOT, WORKSPACE, 'package.json'));
  const workspace = root.packages[WORKSPACE];
  const declared = (entry) => [entry.dependencies ?? {}, entry.devDependencies ?? {}];
  if (!isDeepStrictEqual(declared(workspace), declared(manifest))) {
    throw new Error(
      'the root lockfile is older than functions/package.json: run npm install at the root first',
    );
  }
  const packages = {
    '': {
      name: manifest.name,
      version: manifest.version,
      license: manifest.license,
      dependencies: manifest.dependencies,
      devDependencies: manifest.devDependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  // Alone, a package is dev when only the build needs it (the Cloud Functions build installs dev
  // dependencies, builds, then prunes them); what was dev-or-optional in the root is optional.
  const production = reachable(root.packages, Object.keys(workspace.dependencies ?? {}));
  const build = reachable(root.packages, Object.keys(workspace.devDependencies ?? {}));
  for (const path of [...new Set([...production, ...build])].sort()) {
    const entry = { ...root.packages[path] };
    if (entry.devOptional) entry.optional = true;
    delete entry.dev;
    delete entry.devOptional;
    if (!production.has(path)) entry.dev = true;
    packages[path] = entry;
  }
  return {
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages,
  };
}

/** What differs between functions/package-lock.json and what it must be; empty when in sync. */
export function functionsLockDifferences() {
  const expected = functionsLockfile();
  if (!existsSync(FUNCTIONS_LOCK)) return ['functions/package-lock.json is missing'];
  const actual = readJson(FUNCTIONS_LOCK);
  const differences = [];
  for (const key of ['name', 'version', 'lockfileVersion']) {
    if (actual[key] !== expected[key])
      differences.push(`${key}: ${actual[key]} ≠ ${expected[key]}`);
  }
  const paths = new Set([...Object.keys(expected.packages), ...Object.keys(actual.packages ?? {})]);
  for (const path of [...paths].sort()) {
    const want = expected.packages[path];
    const have = actual.packages?.[path];
    if (isDeepStrictEqual(want, have)) continue;
    const shown = path || '(the functions package)';
    if (!want) differences.push(`${shown}: not in the tested tree`);
    else if (!have) differences.push(`${shown}: missing (tested: ${want.version})`);
    else if (want.version !== have.version) {
      differences.push(`${shown}: ${have.version}, tested ${want.version}`);
    } else differences.push(`${shown}: entry differs`);
  }
  return differences;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) {
    writeFileSync(FUNCTIONS_LOCK, `${JSON.stringify(functionsLockfile(), null, 2)}\n`);
    console.log('functions/package-lock.json written from the root lockfile');
  } else {
    const differences = functionsLockDifferences();
    if (differences.length) {
      console.error('functions/package-lock.json is out of sync with the root lockfile:');
      for (const line of differences.slice(0, 50)) console.error(`  ${line}`);
      console.error('Run: node scripts/functions-lock.mjs --write');
      process.exit(1);
    }
    console.log('functions/package-lock.json matches the tested tree');
  }
}
