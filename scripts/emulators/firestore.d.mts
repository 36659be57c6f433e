export interface RunningEmulator {
  host: string;
  pid: number | undefined;
  stop(): Promise<void>;
}
export function startFirestoreEmulator(): Promise<RunningEmulator>;
