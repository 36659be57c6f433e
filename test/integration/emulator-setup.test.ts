import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startFirestoreEmulator } from '../../scripts/emulators/firestore.mjs';
import {
  firestoreEmulatorJar,
  pubsubEmulatorDir,
  setupLocalEmulators,
} from '../../scripts/emulators/setup.mjs';

const GCLOUD = '/usr/lib/google-cloud-sdk/platform';
const GCLOUD_JAR = join(GCLOUD, 'cloud-firestore-emulator', 'cloud-firestore-emulator.jar');
const hasGcloud = existsSync(GCLOUD_JAR);
const temps: string[] = [];
const temp = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  temps.push(dir);
  return dir;
};
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('emulator setup', () => {
  it('leaves firebase-tools to download when there is no gcloud copy', () => {
    const cacheDir = join(temp('cache'), 'emulators');
    expect(setupLocalEmulators({ cacheDir, gcloudPlatform: temp('no-gcloud') })).toEqual({
      firestore: 'absent',
      pubsub: 'absent',
    });
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('never replaces an emulator firebase-tools downloaded itself', () => {
    const cacheDir = temp('cache');
    const jar = firestoreEmulatorJar(cacheDir);
    const downloaded = Buffer.alloc(100_000, 7);
    writeFileSync(jar, downloaded);
    mkdirSync(pubsubEmulatorDir(cacheDir), { recursive: true });
    expect(setupLocalEmulators({ cacheDir })).toEqual({
      firestore: 'downloaded',
      pubsub: 'downloaded',
    });
    expect(readFileSync(jar).equals(downloaded)).toBe(true);
  });

  describe.skipIf(!hasGcloud)('with the Google Cloud CLI emulators installed', () => {
    it('links them where firebase-tools looks, idempotently', () => {
      const cacheDir = temp('cache');
      expect(setupLocalEmulators({ cacheDir })).toEqual({ firestore: 'linked', pubsub: 'linked' });
      expect(setupLocalEmulators({ cacheDir })).toEqual({ firestore: 'linked', pubsub: 'linked' });
      expect(readlinkSync(pubsubEmulatorDir(cacheDir))).toBe(join(GCLOUD, 'pubsub-emulator'));
    });

    it('writes a launcher that java starts, even for a long gcloud path', async () => {
      // A Class-Path longer than a manifest line (72 bytes) must be continued, not cut.
      const gcloudPlatform = join(temp('gcloud'), 'a-rather-long-directory-name-'.repeat(4));
      mkdirSync(join(gcloudPlatform, 'cloud-firestore-emulator'), { recursive: true });
      symlinkSync(
        GCLOUD_JAR,
        join(gcloudPlatform, 'cloud-firestore-emulator', 'cloud-firestore-emulator.jar'),
      );
      const emulator = await startFirestoreEmulator({ cacheDir: temp('cache'), gcloudPlatform });
      try {
        expect(await (await fetch(`http://${emulator.host}/`)).text()).toMatch(/^Ok/);
      } finally {
        await emulator.stop();
      }
    });

    it('lets `firebase emulators:exec` start Firestore with no download', async () => {
      const project = temp('project');
      const cacheDir = temp('cache');
      setupLocalEmulators({ cacheDir });
      const [firestore, websocket, hub, logging] = [
        await freePort(),
        await freePort(),
        await freePort(),
        await freePort(),
      ];
      writeFileSync(
        join(project, 'firebase.json'),
        JSON.stringify({
          emulators: {
            firestore: { host: '127.0.0.1', port: firestore, websocketPort: websocket },
            hub: { host: '127.0.0.1', port: hub },
            logging: { host: '127.0.0.1', port: logging },
            ui: { enabled: false },
          },
        }),
      );
      const probe = `node -e "fetch('http://'+process.env.FIRESTORE_EMULATOR_HOST+'/').then(r=>r.text()).then(t=>console.log('emulator says '+t.trim()))"`;
      const firebase = join(process.cwd(), 'node_modules', '.bin', 'firebase');
      const output = await new Promise<string>((resolve, reject) => {
        execFile(
          firebase,
          ['emulators:exec', '--only', 'firestore', '--project', 'demo-setup-test', probe],
          {
            cwd: project,
            env: {
              ...process.env,
              FIREBASE_EMULATORS_PATH: cacheDir,
              METADATA_SERVER_DETECTION: 'none',
              CI: 'true',
            },
            timeout: 90_000,
          },
          (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
        );
      });
      expect(output).toContain('emulator says Ok');
      // Nothing downloaded: the only JAR is our launcher.
      expect(readdirSync(cacheDir).filter((name) => name.endsWith('.jar'))).toEqual([
        basename(firestoreEmulatorJar(cacheDir)),
      ]);
    }, 120_000);
  });
});
