/**
 * The signed-in page: status cards, the shares chart and the attempts table, all kept live with
 * onSnapshot. The first refusal from Firestore (permission-denied) ends it: the caller shows the
 * "not authorised" page instead.
 */
import type { Firestore, FirestoreError } from 'firebase/firestore';
import * as data from './data';
import { fill, h } from './dom';
import { block, humanize } from './format';
import { isWellFormed, type Attempt, type Counts } from './model';
import * as q from './queries';
import { AttemptsTable } from './views/attempts';
import { SharesChart } from './views/chart';
import { DetailDialog } from './views/detail';
import { watchHealth } from './views/health';
import { renderStatus, type StatusInput } from './views/status';

const DAY_MS = 86_400_000;

export function startDashboard(
  el: HTMLElement,
  db: Firestore,
  onDenied: (code: string) => void,
  onContext: (recent: Attempt[]) => void,
): () => void {
  const stops: Array<() => void> = [];
  let stopped = false;
  const stopAll = () => {
    stopped = true;
    for (const stop of stops.splice(0)) stop();
  };
  const banner = h('p', { class: 'banner', attrs: { role: 'alert' }, hidden: true });
  const fail = (e: FirestoreError) => {
    if (stopped) return;
    if (e.code === 'permission-denied') {
      stopAll();
      onDenied(e.code);
      return;
    }
    banner.hidden = false;
    banner.textContent = `Firestore: ${e.code}: ${e.message}`;
  };

  const statusEl = h('div', { class: 'cards', id: 'status-cards' });
  const chartEl = h('div', { class: 'chart', id: 'shares-chart' });
  const tableEl = h('div', { id: 'attempts' });
  const live = h('p', {
    class: 'visually-hidden',
    id: 'announcer',
    attrs: { 'aria-live': 'polite' },
  });
  // The weight-health banner (validator_state/health): shown while health is not ok.
  const healthEl = h('section', {
    id: 'health',
    class: 'health',
    hidden: true,
    attrs: { role: 'alert', 'aria-labelledby': 'health-title' },
  });
  stops.push(watchHealth(db, healthEl));
  fill(
    el,
    banner,
    healthEl,
    live,
    section('status', 'Status', statusEl),
    section('shares', 'Shares over time', chartEl),
    section('attempts-section', 'Attempts', tableEl),
  );

  const detail = new DetailDialog(el, db);
  const open = (a: Attempt) => void detail.open(a);
  const state: StatusInput = { recent: [], commits: [] };
  const render = () => renderStatus(statusEl, state, open);
  render();

  const chart = new SharesChart(chartEl);
  const table = new AttemptsTable(tableEl, db, open, fail);
  stops.push(() => table.stop());

  // Status of each attempt on screen: a new one, or one whose status moved (a write-ahead
  // "submitting" record that lands), is announced to screen readers.
  let seen: Map<string, string> | undefined;
  stops.push(
    data.watch(
      db,
      q.recent(),
      (snapshot) => {
        state.recent = data.attemptsOf(snapshot);
        const changed = seen ? state.recent.filter((a) => seen?.get(a.id) !== a.status) : [];
        seen = new Map(state.recent.map((a) => [a.id, a.status]));
        if (changed[0]) live.textContent = announce(changed[0]);
        onContext(state.recent);
        render();
        refreshCounts();
      },
      fail,
    ),
    data.watch(
      db,
      q.successes(),
      (snapshot) => {
        const successes = data.attemptsOf(snapshot);
        state.lastLanded = successes.find(
          (a) => isWellFormed(a) && (a.status === 'included' || a.status === 'finalized'),
        );
        chart.update(successes);
        render();
      },
      fail,
    ),
    data.watch(
      db,
      q.commits(),
      (snapshot) => {
        state.commits = data.attemptsOf(snapshot);
        render();
      },
      fail,
    ),
  );

  // Counts come from the server (count aggregations), refreshed after changes and each minute,
  // since the 24 h window slides; relative times are re-rendered with them.
  let pending: ReturnType<typeof setTimeout> | undefined;
  async function loadCounts() {
    const now = Date.now();
    try {
      const [day, week]: Counts[] = await Promise.all([
        data.counts(db, new Date(now - DAY_MS)),
        data.counts(db, new Date(now - 7 * DAY_MS)),
      ]);
      if (stopped) return;
      Object.assign(state, { day, week });
      render();
    } catch (e) {
      fail(e as FirestoreError);
    }
  }
  function refreshCounts() {
    clearTimeout(pending);
    pending = setTimeout(() => void loadCounts(), 300);
  }
  const tick = setInterval(refreshCounts, 60_000);
  stops.push(
    () => clearInterval(tick),
    () => clearTimeout(pending),
  );

  const fromHash = /^#attempt\/(.+)$/.exec(location.hash);
  const linked = fromHash && decoded(fromHash[1]);
  if (linked) void detail.openId(linked).catch(fail);

  return stopAll;
}

function section(id: string, title: string, body: HTMLElement): HTMLElement {
  return h(
    'section',
    { id, class: 'panel', attrs: { 'aria-labelledby': `${id}-title` } },
    h('h2', { id: `${id}-title` }, title),
    body,
  );
}

/** A link's id; nothing for a hand-edited one that is not URI-encoded. */
function decoded(component: string): string | undefined {
  try {
    return decodeURIComponent(component);
  } catch {
    return undefined;
  }
}

function announce(a: Attempt): string {
  if (!isWellFormed(a)) return 'A malformed attempt record arrived';
  const where = a.block_number === null ? '' : ` in block ${block(a.block_number)}`;
  return `Attempt ${a.status}${where} (${humanize(a.mode)}, ${humanize(a.trigger)})`;
}
