export function fireScheduledFunction(target: {
  functionsHost: string;
  projectId: string;
  name?: string;
}): Promise<void>;
