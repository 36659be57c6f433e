/** Email and password sign-in (the Email/Password provider of Firebase Auth). */
import { signInWithEmailAndPassword, type Auth } from 'firebase/auth';
import { authErrorMessage } from '../auth-errors';
import { h } from '../dom';

export function signInView(auth: Auth, emulated: boolean): HTMLElement {
  const email = h('input', {
    id: 'email',
    type: 'email',
    name: 'email',
    autocomplete: 'username',
    required: true,
  });
  const password = h('input', {
    id: 'password',
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'card signin',
      attrs: { 'aria-labelledby': 'signin-title' },
      on: {
        submit: (event) => {
          event.preventDefault();
          error.textContent = '';
          submit.disabled = true;
          signInWithEmailAndPassword(auth, email.value.trim(), password.value)
            .catch((e: unknown) => {
              error.textContent = authErrorMessage(e, 'sign-in');
            })
            .finally(() => {
              submit.disabled = false;
            });
        },
      },
    },
    h('h2', { id: 'signin-title' }, 'Sign in'),
    h(
      'p',
      { class: 'muted' },
      'The weight history is readable by accounts that hold the auditor or admin role and have ' +
        'a verified email address.',
    ),
    h('label', { htmlFor: 'email' }, 'Email'),
    email,
    h('label', { htmlFor: 'password' }, 'Password'),
    password,
    error,
    submit,
    emulated &&
      h(
        'p',
        { class: 'muted small' },
        'Local emulators: ',
        h('code', null, 'npm start'),
        ' prints the demo auditor’s email and password.',
      ),
  );
  return form;
}
