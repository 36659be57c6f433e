/**
 * Connects to the project that serves the page. Firebase Hosting (and its emulator) serves the
 * project's web configuration at /__/firebase/init.json, so one build works for every project.
 * A demo project (id "demo-…") exists only in the emulators: there the page asks the Hosting
 * emulator where the Auth and Firestore emulators listen.
 */
import { initializeApp, type FirebaseOptions } from 'firebase/app';
import {
  browserLocalPersistence,
  connectAuthEmulator,
  indexedDBLocalPersistence,
  initializeAuth,
  type Auth,
} from 'firebase/auth';
import { connectFirestoreEmulator, getFirestore, type Firestore } from 'firebase/firestore';

export interface Connection {
  auth: Auth;
  db: Firestore;
  projectId: string;
  /** True when talking to the local emulators. */
  emulated: boolean;
}

interface EmulatorAddress {
  host: string;
  port: number;
}

export async function connect(): Promise<Connection> {
  const config = (await fetchJson('/__/firebase/init.json')) as FirebaseOptions;
  if (!config?.projectId) throw new Error('this page is not served by Firebase Hosting');
  const app = initializeApp(config);
  const auth = initializeAuth(app, {
    persistence: [indexedDBLocalPersistence, browserLocalPersistence],
  });
  const db = getFirestore(app);
  const emulated = config.projectId.startsWith('demo-');
  if (emulated) {
    const emulators = await emulatorAddresses();
    if (!emulators.auth || !emulators.firestore)
      throw new Error('demo project: the Auth and Firestore emulators must run with Hosting');
    connectAuthEmulator(auth, `http://${emulators.auth.host}:${emulators.auth.port}`, {
      // The page shows its own "local emulators" badge instead of the SDK's banner.
      disableWarnings: true,
    });
    connectFirestoreEmulator(db, emulators.firestore.host, emulators.firestore.port);
  }
  return { auth, db, projectId: config.projectId, emulated };
}

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/**
 * The emulators' addresses, from the Hosting emulator's init script (`?useEmulator=true`), which
 * declares them as `var firebaseEmulators = {…};` for the compat SDK. Read, never run.
 */
async function emulatorAddresses(): Promise<Record<string, EmulatorAddress | undefined>> {
  const response = await fetch('/__/firebase/init.js?useEmulator=true');
  const script = await response.text();
  const match = /var firebaseEmulators = (\{[\s\S]*?\n\});/.exec(script);
  return match ? (JSON.parse(match[1]) as Record<string, EmulatorAddress>) : {};
}
