// A Firestore client on the emulator, with its own project id so test files never share data.
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import { inject } from 'vitest';
import { waitFor } from './wait';

export interface TestFirestore {
  db: Firestore;
  projectId: string;
  host: string;
  /** Deletes every document of the project. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

export function testFirestore(name: string): TestFirestore {
  const projectId = `demo-${name}-${process.pid}`;
  const host = inject('firestoreEmulatorHost');
  const app: App = initializeApp({ projectId }, projectId);
  const db = getFirestore(app);
  return {
    db,
    projectId,
    host,
    async clear() {
      // 409 while a transaction of an earlier test still holds a lock: wait for it to end (the
      // emulator times locks out), so one test's failure does not fail the tests after it.
      const url = `http://${host}/emulator/v1/projects/${projectId}/databases/(default)/documents`;
      let status = 0;
      await waitFor(async () => {
        status = (await fetch(url, { method: 'DELETE' })).status;
        return status < 300 || status !== 409;
      }, 60_000);
      if (status >= 300) throw new Error(`clearing the emulator failed: ${status}`);
    },
    async close() {
      await db.terminate();
      await deleteApp(app);
    },
  };
}
