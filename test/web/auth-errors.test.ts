// Firebase Auth errors in the words the sign-in form and the "Not authorised" page show.
import { describe, expect, it } from 'vitest';
import { authErrorCode, authErrorMessage } from '../../web/src/auth-errors';

describe('authErrorMessage: Firebase Auth errors in plain words', () => {
  const error = (code: unknown) =>
    Object.assign(new Error(`Firebase: Error (${String(code)}).`), { code });

  it.each([
    ['auth/invalid-credential', 'The email address or the password is wrong.'],
    ['auth/wrong-password', 'The email address or the password is wrong.'],
    ['auth/user-not-found', 'The email address or the password is wrong.'],
    ['auth/user-disabled', 'This account has been disabled.'],
    ['auth/too-many-requests', 'Too many failed attempts. Wait a few minutes'],
    ['auth/network-request-failed', 'could not be reached. Check your connection'],
    ['auth/invalid-email', 'That is not a valid email address.'],
    ['auth/missing-password', 'Enter your password.'],
    ['auth/operation-not-allowed', 'is not enabled for this project'],
  ])('%s', (code, words) => {
    const message = authErrorMessage(error(code));
    expect(message).toContain(words);
    expect(message).not.toContain('auth/');
    expect(message).not.toContain('Firebase');
  });

  it('gives an unknown code a sentence first, the code after it, never the SDK’s message', () => {
    const message = authErrorMessage(error('auth/something-new'));
    expect(message).toBe(
      'Sign-in did not work. Try again; if it keeps failing, ask an operator. ' +
        '(Error code: auth/something-new.)',
    );
  });

  it('says something for what is no Auth error at all, and never echoes it', () => {
    for (const thrown of [undefined, null, 'boom', new Error('x'), error(42), error('<b>')]) {
      expect(authErrorCode(thrown)).toBeUndefined();
      expect(authErrorMessage(thrown)).toBe(
        'Sign-in did not work. Try again; if it keeps failing, ask an operator.',
      );
    }
  });

  it('has its own words for sending the verification email', () => {
    expect(authErrorMessage(error('auth/too-many-requests'), 'verification')).toBe(
      'Too many emails were sent. Wait a few minutes, then try again.',
    );
    expect(authErrorMessage(error('auth/whatever'), 'verification')).toBe(
      'The verification email could not be sent. Try again later. (Error code: auth/whatever.)',
    );
  });
});
