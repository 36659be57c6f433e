/** Which Google Cloud project the command line works on. */
import { ConfigError } from './scoring';

/** Project id used with the emulators when none is given; `demo-` ids never reach the cloud. */
export const DEMO_PROJECT_ID = 'demo-lead-weights';

export function resolveProjectId(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const id = flag ?? env.GCLOUD_PROJECT ?? env.GOOGLE_CLOUD_PROJECT;
  if (id) return id;
  if (env.FIRESTORE_EMULATOR_HOST) return DEMO_PROJECT_ID;
  throw new ConfigError(
    'no project: pass --project <id>, set GOOGLE_CLOUD_PROJECT, or set FIRESTORE_EMULATOR_HOST to use the emulator',
  );
}
