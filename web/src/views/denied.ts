/**
 * What a signed-in account that may not read the history sees: why, and what to do. The rules ask
 * for the auditor or admin role and a verified email address; an unverified user is told so and
 * can have the verification email sent from here.
 */
import { sendEmailVerification, type User } from 'firebase/auth';
import { authErrorMessage } from '../auth-errors';
import { fill, h, isolate } from '../dom';

export function deniedView(
  user: User,
  code: string,
  retry: () => void,
  signOut: () => void,
): HTMLElement {
  const who = user.email ?? user.uid;
  const unverified = user.email !== null && !user.emailVerified;
  const grant = h('code', null, `npx weights users grant-auditor ${who}`);
  return h(
    'section',
    { class: 'card denied', attrs: { 'aria-labelledby': 'denied-title' } },
    h('h2', { id: 'denied-title' }, 'Not authorised'),
    h('p', null, 'You are signed in as ', h('strong', null, isolate(who)), '.'),
    h(
      'p',
      null,
      'Reading the weight history needs the ',
      h('code', null, 'auditor'),
      ' or ',
      h('code', null, 'admin'),
      ' role on your account and a verified email address, and Firestore refused the read (',
      h('code', { class: 'denied-code' }, code),
      ').',
    ),
    unverified
      ? verifyFirst(user, grant)
      : h('p', null, 'An operator can grant the role with ', grant, '; then check again.'),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'primary', on: { click: retry } }, 'Check again'),
      h('button', { type: 'button', on: { click: signOut } }, 'Sign out'),
    ),
  );
}

/** For an unverified address: say so, send the verification email, then the operator's part. */
function verifyFirst(user: User, grant: HTMLElement): DocumentFragment {
  const status = h('p', { class: 'verify-status', attrs: { role: 'status' } });
  const send: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'send-verification',
      on: {
        click: () => {
          send.disabled = true;
          status.textContent = 'Sending…';
          sendEmailVerification(user)
            .then(() => {
              fill(
                status,
                'Sent to ',
                isolate(user.email ?? ''),
                '. Open the link in it, then check again.',
              );
            })
            .catch((e: unknown) => {
              status.textContent = authErrorMessage(e, 'verification');
            })
            .finally(() => {
              send.disabled = false;
            });
        },
      },
    },
    'Send verification email',
  );
  const fragment = document.createDocumentFragment();
  fragment.append(
    h(
      'p',
      { class: 'unverified' },
      h('strong', null, 'Your email address is not verified.'),
      ' The history is only shown to verified addresses, so that nobody can read it by signing ' +
        'up with someone else’s address. Verify yours with the link we email you:',
    ),
    send,
    status,
    h(
      'p',
      null,
      'Once it is verified, an operator can grant the role with ',
      grant,
      '; then check again.',
    ),
  );
  return fragment;
}
