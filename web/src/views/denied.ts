/** What a signed-in account without the auditor or admin claim sees: why, and what to do. */
import type { User } from 'firebase/auth';
import { h } from '../dom';

export function deniedView(
  user: User,
  code: string,
  retry: () => void,
  signOut: () => void,
): HTMLElement {
  const who = user.email ?? user.uid;
  return h(
    'section',
    { class: 'card denied', attrs: { 'aria-labelledby': 'denied-title' } },
    h('h2', { id: 'denied-title' }, 'Not authorised'),
    h('p', null, 'You are signed in as ', h('strong', null, who), '.'),
    h(
      'p',
      null,
      'Reading the weight history needs the ',
      h('code', null, 'auditor'),
      ' or ',
      h('code', null, 'admin'),
      ' role on your account, and Firestore refused the read (',
      h('code', { class: 'denied-code' }, code),
      ').',
    ),
    h(
      'p',
      null,
      'An operator can grant it with ',
      h('code', null, `npx weights users grant-auditor ${who}`),
      '; then check again.',
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'primary', on: { click: retry } }, 'Check again'),
      h('button', { type: 'button', on: { click: signOut } }, 'Sign out'),
    ),
  );
}
