/**
 * Firebase Auth errors in plain words. Pure (no SDK import), so it is table-tested in Node. An
 * error this table does not know still gets a sentence; its code is only ever added after one,
 * as something to quote when asking for help, and the SDK's own message ("Firebase: Error
 * (auth/…).") is never shown.
 */

/** What the person can do about each error while signing in. */
const SIGN_IN: Record<string, string> = {
  'auth/invalid-credential':
    'The email address or the password is wrong. Check both and try again.',
  // Before email enumeration protection, Auth said which of the two was wrong; the page does not.
  'auth/wrong-password': 'The email address or the password is wrong. Check both and try again.',
  'auth/user-not-found': 'The email address or the password is wrong. Check both and try again.',
  'auth/invalid-email': 'That is not a valid email address. Check it for typos.',
  'auth/missing-email': 'Enter your email address.',
  'auth/missing-password': 'Enter your password.',
  'auth/user-disabled': 'This account has been disabled. Ask an operator of the dashboard.',
  'auth/too-many-requests':
    'Too many failed attempts. Wait a few minutes before trying again, or reset your password.',
  'auth/network-request-failed':
    'The sign-in service could not be reached. Check your connection and try again.',
  'auth/timeout': 'The sign-in service took too long to answer. Try again.',
  'auth/internal-error': 'The sign-in service had a problem. Try again in a moment.',
  'auth/operation-not-allowed':
    'Sign-in with email and password is not enabled for this project. Ask an operator.',
  'auth/user-token-expired': 'Your session has expired. Sign in again.',
  'auth/invalid-user-token': 'Your session has expired. Sign in again.',
  'auth/web-storage-unsupported':
    'This browser blocks the storage sign-in needs (private mode or blocked cookies).',
  'auth/invalid-api-key': 'This page is misconfigured (its API key is not valid). Ask an operator.',
  'auth/api-key-not-valid.-please-pass-a-valid-api-key.':
    'This page is misconfigured (its API key is not valid). Ask an operator.',
  'auth/app-not-authorized': 'This site is not allowed to sign in to the project. Ask an operator.',
  'auth/unauthorized-domain':
    'This site is not allowed to sign in to the project. Ask an operator.',
};

/** Sending the verification email (the "Not authorised" page). */
const VERIFICATION: Record<string, string> = {
  'auth/too-many-requests': 'Too many emails were sent. Wait a few minutes, then try again.',
  'auth/network-request-failed':
    'The email could not be requested: the service could not be reached. Check your connection.',
  'auth/user-token-expired': 'Your session has expired. Sign out, sign in again, then retry.',
  'auth/invalid-user-token': 'Your session has expired. Sign out, sign in again, then retry.',
  'auth/internal-error': 'The service had a problem sending it. Try again in a moment.',
};

export type AuthAction = 'sign-in' | 'verification';

const TABLES: Record<AuthAction, Record<string, string>> = {
  'sign-in': SIGN_IN,
  verification: VERIFICATION,
};

const FALLBACK: Record<AuthAction, string> = {
  'sign-in': 'Sign-in did not work. Try again; if it keeps failing, ask an operator.',
  verification: 'The verification email could not be sent. Try again later.',
};

/** The code of an error thrown by the Auth SDK, if it has one of the usual shape. */
export function authErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^auth\/[a-z0-9.-]{1,100}$/.test(code) ? code : undefined;
}

/** What to tell the person: a sentence, for any error, known or not. */
export function authErrorMessage(error: unknown, action: AuthAction = 'sign-in'): string {
  const code = authErrorCode(error);
  const known = code === undefined ? undefined : TABLES[action][code];
  if (known) return known;
  return code ? `${FALLBACK[action]} (Error code: ${code}.)` : FALLBACK[action];
}
