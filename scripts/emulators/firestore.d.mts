export interface RunningEmulator {
  host: string;
  pid: number | undefined;
  stop(): Promise<void>;
}
export function startFirestoreEmulator(options?: {
  cacheDir?: string;
  gcloudPlatform?: string;
}): Promise<RunningEmulator>;
export function freePort(): Promise<number>;
