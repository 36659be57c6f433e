export function writeFunctionsEnv(
  functionsDir: string,
  projectId: string,
  overrides?: Record<string, string>,
): string;
