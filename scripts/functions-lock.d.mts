export const FUNCTIONS_LOCK: string;
export function functionsLockfile(): Record<string, unknown>;
export function functionsLockDifferences(): string[];
