// Lets firebase-tools run the Firestore and Pub/Sub emulators from the Google Cloud CLI's
// preinstalled copies instead of downloading its own (which fails on machines without internet).
//
// firebase-tools only checks that a file exists at the cache path named in its
// downloadableEmulatorInfo.json, then starts Firestore with `java -jar`. The gcloud JAR has no
// Main-Class, so we write a manifest-only launcher JAR under the expected name whose Class-Path
// points at the gcloud JAR. Pub/Sub gets a symlink to the gcloud folder. Where gcloud's emulators
// are absent, nothing is written and firebase-tools downloads its own as usual. A file that
// firebase-tools downloaded itself is never replaced.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';

const GCLOUD_PLATFORM = '/usr/lib/google-cloud-sdk/platform';
const FIRESTORE_MAIN_CLASS = 'com.google.cloud.datastore.emulator.firestore.CloudFirestore';
const LAUNCHER_MARK = 'Created-By: lead-weights emulator setup';

export function emulatorCacheDir(env = process.env) {
  return env.FIREBASE_EMULATORS_PATH || join(homedir(), '.cache', 'firebase', 'emulators');
}

function firebaseToolsEmulatorInfo() {
  const require = createRequire(import.meta.url);
  const infoPath = join(
    dirname(require.resolve('firebase-tools/package.json')),
    'lib/emulator/downloadableEmulatorInfo.json',
  );
  return JSON.parse(readFileSync(infoPath, 'utf8'));
}

/**
 * Wires the gcloud emulators into firebase-tools' cache. Returns what it did, one entry per
 * emulator: 'linked' (written now or already ours), 'downloaded' (firebase-tools' own file is
 * there), or 'absent' (no gcloud copy: firebase-tools will download as usual).
 */
export function setupLocalEmulators({
  cacheDir = emulatorCacheDir(),
  gcloudPlatform = GCLOUD_PLATFORM,
} = {}) {
  const info = firebaseToolsEmulatorInfo();
  return {
    firestore: linkFirestore(
      join(cacheDir, info.firestore.downloadPathRelativeToCacheDir),
      join(gcloudPlatform, 'cloud-firestore-emulator', 'cloud-firestore-emulator.jar'),
    ),
    pubsub: linkPubsub(pubsubEmulatorDir(cacheDir), join(gcloudPlatform, 'pubsub-emulator')),
  };
}

/** The folder firebase-tools runs the Pub/Sub emulator's bin/ from. */
export function pubsubEmulatorDir(cacheDir = emulatorCacheDir()) {
  // binaryPathRelativeToCacheDir is "<version dir>/pubsub-emulator/bin/cloud-pubsub-emulator".
  const binary = firebaseToolsEmulatorInfo().pubsub.binaryPathRelativeToCacheDir;
  return join(cacheDir, dirname(dirname(binary)));
}

/** Path of the JAR that `java -jar` starts the Firestore emulator from, once set up. */
export function firestoreEmulatorJar(cacheDir = emulatorCacheDir()) {
  return join(cacheDir, firebaseToolsEmulatorInfo().firestore.downloadPathRelativeToCacheDir);
}

function linkFirestore(target, gcloudJar) {
  if (!existsSync(gcloudJar)) return existsSync(target) ? 'downloaded' : 'absent';
  if (existsSync(target) && !isOurLauncher(target)) return 'downloaded';
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(
    target,
    manifestOnlyJar([
      'Manifest-Version: 1.0',
      `Main-Class: ${FIRESTORE_MAIN_CLASS}`,
      `Class-Path: ${gcloudJar}`,
      LAUNCHER_MARK,
    ]),
  );
  return 'linked';
}

function linkPubsub(target, gcloudDir) {
  if (!existsSync(join(gcloudDir, 'bin', 'cloud-pubsub-emulator'))) {
    return existsSync(target) ? 'downloaded' : 'absent';
  }
  const stat = lstatSync(target, { throwIfNoEntry: false });
  if (stat && !stat.isSymbolicLink()) return 'downloaded';
  if (stat && readlinkSync(target) === gcloudDir) return 'linked';
  if (stat) throw new Error(`${target} links elsewhere; remove it to relink`);
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(gcloudDir, target, 'dir');
  return 'linked';
}

function isOurLauncher(path) {
  // A real emulator JAR is tens of megabytes; ours is a few hundred bytes with a marker line.
  return lstatSync(path).size < 4096 && readFileSync(path).includes(LAUNCHER_MARK);
}

/** A JAR (zip, stored entries) holding only META-INF/MANIFEST.MF. */
function manifestOnlyJar(lines) {
  const manifest = Buffer.from(lines.map(wrapManifestLine).join('\r\n') + '\r\n\r\n');
  const name = Buffer.from('META-INF/MANIFEST.MF');
  const crc = crc32(manifest);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4); // version needed
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(manifest.length, 18);
  local.writeUInt32LE(manifest.length, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4); // version made by
  central.writeUInt16LE(10, 6); // version needed
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(manifest.length, 20);
  central.writeUInt32LE(manifest.length, 24);
  central.writeUInt16LE(name.length, 28);
  const centralOffset = local.length + name.length + manifest.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, name, manifest, central, name, end]);
}

/** Manifest lines may hold at most 72 bytes; longer ones continue on lines starting with a space. */
function wrapManifestLine(line) {
  const parts = [line.slice(0, 72)];
  for (let i = 72; i < line.length; i += 71) parts.push(' ' + line.slice(i, i + 71));
  return parts.join('\r\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = setupLocalEmulators();
  for (const [emulator, state] of Object.entries(result)) {
    const meaning = {
      linked: 'uses the Google Cloud CLI copy',
      downloaded: "uses firebase-tools' own download",
      absent: 'no local copy: firebase-tools will download it on first start',
    }[state];
    console.log(`${emulator} emulator: ${meaning}`);
  }
}
