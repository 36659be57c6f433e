/**
 * `weights users grant-auditor|revoke-auditor <email>`: who may read the weight history. The
 * security rules let a signed-in user read `weight_transactions` when their ID token carries the
 * custom claim `auditor: true` (or `admin: true`), their email address is verified and they did not
 * sign in anonymously; this sets or removes that claim with the Admin SDK, keeping the user's other
 * claims. It grants only to a verified address with a sign-in provider: anyone can sign up with a
 * colleague's address, and the claim must not go to whoever did.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getAuth, type Auth, type UserRecord } from 'firebase-admin/auth';
import { DEMO_PROJECT_ID, resolveProjectId } from '../config/project';
import { ConfigError } from '../config/scoring';

export const USERS_USAGE = `Usage: weights users <grant-auditor|revoke-auditor> <email> [--project <id>]

  grant-auditor <email>    Let this user read the weight history (custom claim auditor: true)
  revoke-auditor <email>   Take that away again (the user's other claims are kept)

The user must exist in Firebase Authentication (signed in once, or added in the console).
grant-auditor refuses an email address that is not verified, and an anonymous account, as the
security rules do: anyone can sign up with someone else's address. An address is verified by the
link of a verification email (the dashboard's "Send verification email" button, also for users
added in the console) or by signing in with a provider that vouches for it, such as Google.
revoke-auditor works on any user. The claim reaches the dashboard with the user's next ID token:
within the hour, at the next sign-in, or at once with the dashboard's "Check again" button.

Options:
  --project <id>   Google Cloud project (default GOOGLE_CLOUD_PROJECT; with the Auth emulator,
                   ${DEMO_PROJECT_ID})
  -h, --help       Show this help

Firebase Authentication: the emulator when FIREBASE_AUTH_EMULATOR_HOST is set, otherwise the
project's, through Application Default Credentials.`;

const OPTIONS = {
  project: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

/** Runs `weights users` with the arguments after `users`; resolves to the exit code. */
export async function users(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USERS_USAGE}\n`);
    return 0;
  }
  const [action, email, ...extra] = positionals;
  if (action !== 'grant-auditor' && action !== 'revoke-auditor')
    return usage(action ? `unknown users command "${action}"` : 'missing users command');
  if (!email || extra.length > 0) return usage(`${action} takes one email address`);

  try {
    const projectId = projectFor(values.project, env);
    return await withAuth(projectId, env, async (auth) => {
      const user = await auth.getUserByEmail(email).catch((error: { code?: string }) => {
        if (error.code === 'auth/user-not-found')
          throw new Error(
            `no user with email ${email} in project ${projectId}: they must sign in once, or be added in the console, first`,
          );
        throw error;
      });
      if (action === 'grant-auditor') refuseUnverified(user, email);
      const claims = { ...user.customClaims };
      if (action === 'grant-auditor') claims.auditor = true;
      else delete claims.auditor;
      await auth.setCustomUserClaims(user.uid, claims);
      process.stdout.write(
        action === 'grant-auditor'
          ? `${email} (uid ${user.uid}) may now read the weight history (auditor), from their next ID token\n`
          : `${email} (uid ${user.uid}) is no longer an auditor${claims.admin === true ? ' (still an admin)' : ''}\n`,
      );
      return 0;
    });
  } catch (error) {
    process.stderr.write(`weights: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof ConfigError ? 2 : 1;
  }
}

/**
 * Throws, saying what to do, unless the rules would let this user read once granted: a verified
 * address (not just one typed at sign-up) and a provider other than anonymous. An anonymous
 * account has no provider in providerData, even with an address set by the Admin SDK.
 */
function refuseUnverified(user: UserRecord, email: string): void {
  const who = `${email} (uid ${user.uid})`;
  if (user.providerData.length === 0)
    throw new Error(
      `${who} has no sign-in provider: an anonymous account, which the security rules refuse, ` +
        'or one created without a password, which cannot sign in. Not granted. The user signs ' +
        'in with this address first (a password, or Google); then grant again.',
    );
  if (!user.emailVerified)
    throw new Error(
      `${who} has not verified this email address. Not granted: anyone can sign up with ` +
        "someone else's address, so the security rules let only verified addresses read. The " +
        'user verifies it with the link of a verification email (the dashboard\'s "Send ' +
        'verification email" button) or by signing in with a provider that vouches for it, such ' +
        'as Google; then grant again. Only if you know the address is theirs, mark it verified ' +
        'yourself with the Admin SDK: updateUser(uid, { emailVerified: true }).',
    );
}

function usage(message: string): number {
  process.stderr.write(`weights: ${message}\n\n${USERS_USAGE}\n`);
  return 2;
}

/** The project: as for the other commands, and the demo project against the Auth emulator. */
function projectFor(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (!flag && !env.GCLOUD_PROJECT && !env.GOOGLE_CLOUD_PROJECT && env.FIREBASE_AUTH_EMULATOR_HOST)
    return DEMO_PROJECT_ID;
  return resolveProjectId(flag, env);
}

async function withAuth<T>(
  projectId: string,
  env: NodeJS.ProcessEnv,
  work: (auth: Auth) => Promise<T>,
): Promise<T> {
  // The Admin SDK reads the emulator's address from the process environment.
  if (env.FIREBASE_AUTH_EMULATOR_HOST) {
    process.env.FIREBASE_AUTH_EMULATOR_HOST = env.FIREBASE_AUTH_EMULATOR_HOST;
    process.env.METADATA_SERVER_DETECTION ??= 'none';
  }
  const app = initializeApp({ projectId }, `weights-users-${Date.now()}`);
  try {
    return await work(getAuth(app));
  } finally {
    await deleteApp(app);
  }
}
