/** The dashboard's entry: connect, then sign-in, the dashboard, or "not authorised". */
import { onAuthStateChanged, signOut, type User } from 'firebase/auth';
import { startDashboard } from './dashboard';
import { fill, h, isolate } from './dom';
import { brief } from './format';
import { connect, type Connection } from './firebase';
import { isWellFormed, shortHotkey, type Attempt } from './model';
import { deniedView } from './views/denied';
import { signInView } from './views/signin';
import './style.css';

const view = document.getElementById('view') as HTMLElement;
const account = document.getElementById('account') as HTMLElement;
const context = document.getElementById('context') as HTMLElement;

let stopDashboard: (() => void) | undefined;

function show(state: string, ...content: Array<Node | string>) {
  document.body.dataset.view = state;
  fill(view, ...content);
}

function renderAccount(conn: Connection, user: User | null) {
  fill(
    account,
    conn.emulated && h('span', { class: 'badge', title: conn.projectId }, 'local emulators'),
    user &&
      h(
        'span',
        { class: 'who' },
        h('span', { class: 'email' }, isolate(user.email ?? user.uid)),
        h(
          'button',
          { type: 'button', class: 'quiet', on: { click: () => void signOut(conn.auth) } },
          'Sign out',
        ),
      ),
  );
}

/** Which subnet, network and validator, as the newest well-formed record says. */
function renderContext(recent: Attempt[]) {
  const last = recent.find(isWellFormed);
  if (!last) return fill(context);
  fill(
    context,
    `subnet ${last.netuid ?? '?'} · `,
    isolate(brief(last.network ?? '?', 40)),
    last.validator_hotkey && ' · validator ',
    last.validator_hotkey && isolate(shortHotkey(last.validator_hotkey)),
  );
}

function dashboard(conn: Connection, user: User) {
  stopDashboard?.();
  show('dashboard');
  stopDashboard = startDashboard(
    view,
    conn.db,
    (code) => {
      stopDashboard = undefined;
      fill(context);
      show(
        'denied',
        deniedView(
          user,
          code,
          // A claim granted, or an address verified, since sign-in is in the next ID token:
          // reload the account (emailVerified), refresh the token, then read again.
          () =>
            void user
              .reload()
              .then(() => user.getIdToken(true))
              .then(() => dashboard(conn, user)),
          () => void signOut(conn.auth),
        ),
      );
    },
    renderContext,
  );
}

async function main() {
  show('loading', h('p', { class: 'muted' }, 'Loading…'));
  let conn: Connection;
  try {
    conn = await connect();
  } catch (e) {
    show('error', h('p', { class: 'banner', attrs: { role: 'alert' } }, String(e)));
    return;
  }
  onAuthStateChanged(conn.auth, (user) => {
    renderAccount(conn, user);
    stopDashboard?.();
    stopDashboard = undefined;
    fill(context);
    if (user) dashboard(conn, user);
    else show('signin', signInView(conn.auth, conn.emulated));
  });
}

void main();
