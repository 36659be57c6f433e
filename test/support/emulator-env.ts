// firebase-admin finds the emulator through this variable when a Firestore client is created.
import { inject } from 'vitest';

process.env.FIRESTORE_EMULATOR_HOST = inject('firestoreEmulatorHost');
