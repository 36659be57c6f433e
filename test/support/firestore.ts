// A Firestore client on the emulator, with its own project id so test files never share data.
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import { inject } from 'vitest';

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
      const url = `http://${host}/emulator/v1/projects/${projectId}/databases/(default)/documents`;
      const response = await fetch(url, { method: 'DELETE' });
      if (!response.ok) throw new Error(`clearing the emulator failed: ${response.status}`);
    },
    async close() {
      await db.terminate();
      await deleteApp(app);
    },
  };
}
