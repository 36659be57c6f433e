// firebase-admin finds the emulator through this variable when a Firestore client is created.
import { inject } from 'vitest';

process.env.FIRESTORE_EMULATOR_HOST = inject('firestoreEmulatorHost');
// Keep Google's auth libraries from probing the cloud metadata server: tests talk to 127.0.0.1 only.
process.env.METADATA_SERVER_DETECTION = 'none';
