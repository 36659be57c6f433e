// `firebase deploy` as Google runs it, on this machine. firebase-tools packages functions/ (its
// own packaging code, with firebase.json's ignore list, after the predeploy build); Cloud Build's
// Node.js buildpack then installs the upload with its dev dependencies (`npm ci`), runs its build
// step (`gcp-build` when the package has one, else `build`), prunes the dev dependencies, and the
// functions framework's discovery reads the manifest that firebase-tools deploys from. Each step
// runs here on a copy of exactly what is uploaded, offline from the npm cache that the root
// install filled with these very versions (functions/package-lock.json is the tested tree).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionsLockDifferences } from '../../scripts/functions-lock.mjs';
import { LOAD_TIME_SETTINGS } from '../../functions/src/config/params';
import { HEALTH_ENV } from '../../functions/src/health/config';
import { PUBLISH_ENV } from '../../functions/src/config/publishing';
import { SCORING_ENV } from '../../functions/src/config/scoring';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const FUNCTIONS = join(ROOT, 'functions');
const firebaseTools = createRequire(join(ROOT, 'node_modules', 'firebase-tools', 'package.json'));
const PROJECT = 'demo-deploy';
// The build machine's PATH: none of this checkout's tools (npx and npm run put node_modules/.bin
// directories on the PATH of the tests), so a tool the upload does not install is not found.
const BUILD_PATH = (process.env.PATH ?? '')
  .split(':')
  .filter((dir) => !dir.includes('node_modules'))
  .join(':');

interface Endpoint {
  entryPoint: string;
  serviceAccountEmail?: string | null;
  secretEnvironmentVariables?: { key: string }[];
  eventTrigger?: { eventType: string; eventFilterPathPatterns?: { document?: string } };
  scheduleTrigger?: { schedule: string };
  taskQueueTrigger?: object;
  timeoutSeconds?: number | null;
}
interface Manifest {
  endpoints: Record<string, Endpoint>;
  params: { name: string; type: string; default?: unknown; description?: string }[];
}

interface Step {
  command: string;
  code: number;
  output: string;
}
const steps: Step[] = [];
let upload = '';
let manifest: Manifest | undefined;

/** Runs one step of the build in the upload; records its exit code and output, never throws. */
async function step(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Step> {
  const npmQuiet = ['--offline', '--no-audit', '--no-fund', '--loglevel=error'];
  const full = command === 'npm' && args[0] !== 'run' ? [...args, ...npmQuiet] : args;
  const done = await run(command, full, {
    cwd: upload,
    env: { ...process.env, ...env, PATH: BUILD_PATH, CI: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code?: number | string; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === 'number' ? error.code : 1,
      output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    }),
  );
  const result = { command: [command, ...args].join(' '), ...done };
  steps.push(result);
  return result;
}

/** What `firebase deploy` uploads for the functions, packaged by firebase-tools, unpacked. */
async function packageAsDeployDoes(): Promise<string> {
  const config = JSON.parse(await readFile(join(ROOT, 'firebase.json'), 'utf8')).functions[0];
  // The predeploy step, as firebase.json has it.
  for (const command of config.predeploy as string[]) {
    await run('sh', ['-c', command], { env: { ...process.env, RESOURCE_DIR: FUNCTIONS } });
  }
  const { prepareFunctionsUpload } = firebaseTools(
    './lib/deploy/functions/prepareFunctionsUpload.js',
  );
  const { pathToSource } = await prepareFunctionsUpload(FUNCTIONS, {
    ...config,
    ignore: [...config.ignore],
  });
  const folder = await mkdtemp(join(tmpdir(), 'functions-upload-'));
  await run('python3', ['-m', 'zipfile', '-e', pathToSource, folder]);
  await rm(pathToSource, { force: true });
  return folder;
}

beforeAll(async () => {
  expect(existsSync(join(FUNCTIONS, 'lib', 'index.js')), 'build first: npm run build').toBe(true);
  upload = await packageAsDeployDoes();
  // The buildpack: install with dev dependencies, build, prune, then discovery.
  const install = await step('npm', ['ci', '--include=dev']);
  if (install.code !== 0) return;
  const scripts = JSON.parse(await readFile(join(upload, 'package.json'), 'utf8')).scripts ?? {};
  const buildScript = 'gcp-build' in scripts ? 'gcp-build' : 'build' in scripts ? 'build' : null;
  if (buildScript && (await step('npm', ['run', buildScript])).code !== 0) return;
  if ((await step('npm', ['prune', '--omit=dev'])).code !== 0) return;
  const out = join(upload, 'manifest.json');
  const discovery = await step(
    process.execPath,
    [join('node_modules', 'firebase-functions', 'lib', 'bin', 'firebase-functions.js'), '.'],
    { FUNCTIONS_MANIFEST_OUTPUT_PATH: out, GCLOUD_PROJECT: PROJECT },
  );
  if (discovery.code === 0) manifest = JSON.parse(await readFile(out, 'utf8'));
}, 300_000);

afterAll(async () => {
  if (upload) await rm(upload, { recursive: true, force: true });
});

const failed = () =>
  steps
    .filter((s) => s.code !== 0)
    .map((s) => `${s.command} → exit ${s.code}\n${s.output.slice(-2000)}`)
    .join('\n');

describe('the deployed functions package', () => {
  it('has a lockfile that is the tested tree (node scripts/functions-lock.mjs --write)', () => {
    expect(functionsLockDifferences()).toEqual([]);
  });

  it('builds as Cloud Build builds it: install, build step, prune, discovery', () => {
    expect(failed()).toBe('');
    expect(steps.map((s) => s.command.split(' ').slice(0, 3).join(' '))).toEqual([
      'npm ci --include=dev',
      'npm run build',
      'npm prune --omit=dev',
      expect.stringContaining('firebase-functions.js'),
    ]);
    expect(manifest).toBeDefined();
  });

  it('uploads no local secret, and builds from nothing outside functions/', async () => {
    expect(existsSync(join(upload, '.secret.local'))).toBe(false);
    expect(existsSync(join(upload, 'node_modules', 'typescript')), 'pruned').toBe(false);
    const tsconfig = JSON.parse(await readFile(join(FUNCTIONS, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.extends).toBeUndefined();
    for (const path of tsconfig.include ?? []) expect(path).not.toMatch(/^\.\./);
  });

  it('loads after pruning, with the same exports as the tested build, and its command line', async () => {
    const exportsOf = async (cwd: string) =>
      (
        await run(
          process.execPath,
          ['-e', 'console.log(Object.keys(require("./lib/index.js")).sort().join(" "))'],
          { cwd, env: { ...process.env, GCLOUD_PROJECT: PROJECT } },
        )
      ).stdout.trim();
    const alone = await exportsOf(upload);
    expect(alone).toContain('publishWeightsTask');
    expect(alone).toBe(await exportsOf(FUNCTIONS));
    const lock = JSON.parse(await readFile(join(upload, 'package-lock.json'), 'utf8'));
    for (const name of ['@polkadot/api', 'firebase-admin', 'firebase-functions']) {
      const installed = JSON.parse(
        await readFile(join(upload, 'node_modules', name, 'package.json'), 'utf8'),
      );
      expect(installed.version).toBe(lock.packages[`node_modules/${name}`].version);
    }
    const help = await run(process.execPath, ['bin/weights.js', '--help'], { cwd: upload });
    expect(help.stdout).toContain('Usage: weights <command>');
  });
});

describe('the manifest firebase deploy reads', () => {
  const endpoints = () => {
    if (!manifest) throw new Error(`no manifest: the build failed\n${failed()}`);
    return Object.entries(manifest.endpoints);
  };

  it('has the onCreate trigger as the publish path, and one function per lead event', () => {
    const curated = endpoints().filter(
      ([, e]) => e.eventTrigger?.eventFilterPathPatterns?.document === 'curated_leads/{leadId}',
    );
    expect(
      Object.fromEntries(curated.map(([name, e]) => [e.eventTrigger?.eventType, name])),
    ).toEqual({
      'google.cloud.firestore.document.v1.created': 'onCuratedLeadCreated',
      'google.cloud.firestore.document.v1.updated': 'onCuratedLeadUpdated',
      'google.cloud.firestore.document.v1.deleted': 'onCuratedLeadDeleted',
    });
    // Each event is handled by exactly one function.
    expect(curated).toHaveLength(3);
    expect(
      endpoints()
        .map(([name]) => name)
        .sort(),
    ).toEqual([
      'onCuratedLeadCreated',
      'onCuratedLeadDeleted',
      'onCuratedLeadUpdated',
      'onSourcedLeadCreated',
      'publishWeightsTask',
      'scheduledPublish',
    ]);
  });

  it('runs the publisher as its own service account, the only one with the hotkey', () => {
    // The health webhook's URL goes to the one function that sends (the schedule), only.
    const secrets: Record<string, { key: string }[]> = {
      publishWeightsTask: [{ key: 'VALIDATOR_HOTKEY' }],
      scheduledPublish: [{ key: 'HEALTH_WEBHOOK_URL' }],
    };
    for (const [name, endpoint] of endpoints()) {
      const publisher = name === 'publishWeightsTask';
      expect(endpoint.serviceAccountEmail, name).toBe(
        publisher
          ? '{{ params.PUBLISHER_SERVICE_ACCOUNT }}'
          : '{{ params.TRIGGERS_SERVICE_ACCOUNT }}',
      );
      expect(endpoint.secretEnvironmentVariables ?? [], name).toEqual(secrets[name] ?? []);
    }
  });

  it('has every deploy-time setting as a param, with a default and a description', () => {
    const settings = [
      ...Object.values(PUBLISH_ENV),
      ...Object.values(SCORING_ENV),
      ...Object.values(HEALTH_ENV),
    ].filter((name) => !(LOAD_TIME_SETTINGS as readonly string[]).includes(name));
    const expected = [
      ...settings,
      'UNCHANGED_REPUBLISH_MINUTES',
      'PUBLISHER_SERVICE_ACCOUNT',
      'TRIGGERS_SERVICE_ACCOUNT',
    ].sort();
    const params = (manifest?.params ?? []).filter((p) => p.type !== 'secret');
    expect(params.map((p) => p.name).sort()).toEqual(expected);
    for (const param of params) {
      expect(param.default, param.name).toBeDefined();
      expect(param.description, param.name).toBeTruthy();
    }
  });

  it('resolves as firebase deploy resolves it: defaults, service accounts, the secret', async () => {
    const { buildFromV1Alpha1 } = firebaseTools(
      './lib/deploy/functions/runtimes/discovery/v1alpha1.js',
    );
    const { resolveBackend } = firebaseTools('./lib/deploy/functions/build.js');
    const build = buildFromV1Alpha1(manifest, 'my-project', 'us-central1', 'nodejs22');
    // A non-interactive deploy with every param in functions/.env at its default. (isEmulator
    // only skips the check that the secret exists in Secret Manager.)
    const userEnvs = Object.fromEntries(
      (manifest?.params ?? [])
        .filter((p) => p.type !== 'secret')
        .map((p) => [p.name, String(p.default)]),
    );
    const { backend } = await resolveBackend({
      build,
      firebaseConfig: { projectId: 'my-project' },
      userEnvs,
      nonInteractive: true,
      isEmulator: true,
    });
    const resolved = Object.values(
      backend.endpoints['us-central1'] as Record<
        string,
        { id: string; serviceAccount: string; secretEnvironmentVariables?: { secret: string }[] }
      >,
    );
    expect(
      Object.fromEntries(
        resolved.map((e) => [
          e.id,
          [e.serviceAccount, (e.secretEnvironmentVariables ?? []).map((s) => s.secret)],
        ]),
      ),
    ).toEqual({
      onCuratedLeadCreated: ['weights-triggers@', []],
      onCuratedLeadUpdated: ['weights-triggers@', []],
      onCuratedLeadDeleted: ['weights-triggers@', []],
      onSourcedLeadCreated: ['weights-triggers@', []],
      scheduledPublish: ['weights-triggers@', ['HEALTH_WEBHOOK_URL']],
      publishWeightsTask: ['weights-publisher@', ['VALIDATOR_HOTKEY']],
    });
  });
});
