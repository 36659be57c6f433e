// One Firestore emulator for the whole run, on a free port, stopped when the run ends.
// Test files isolate their data by using their own project id.
import type { TestProject } from 'vitest/node';
import { startFirestoreEmulator } from '../../scripts/emulators/firestore.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    firestoreEmulatorHost: string;
  }
}

export default async function setup(project: TestProject) {
  const emulator = await startFirestoreEmulator();
  project.provide('firestoreEmulatorHost', emulator.host);
  return () => emulator.stop();
}
