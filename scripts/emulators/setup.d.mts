export type EmulatorSource = 'linked' | 'downloaded' | 'absent';
export function emulatorCacheDir(env?: NodeJS.ProcessEnv): string;
export function setupLocalEmulators(options?: { cacheDir?: string; gcloudPlatform?: string }): {
  firestore: EmulatorSource;
  pubsub: EmulatorSource;
};
export function firestoreEmulatorJar(cacheDir?: string): string;
export function pubsubEmulatorDir(cacheDir?: string): string;
