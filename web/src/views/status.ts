/** The status cards: last attempt, success rates, next allowed block, open commit, lead counts. */
import { fill, h } from '../dom';
import { block, dateTime, duration, fromNow, humanize } from '../format';
import {
  isOpenCommit,
  lastScoring,
  nextAllowed,
  successRate,
  type Attempt,
  type Counts,
} from '../model';
import { statusPill } from './pill';

export interface StatusInput {
  recent: Attempt[];
  lastLanded?: Attempt;
  commits: Attempt[];
  day?: Counts;
  week?: Counts;
}

const card = (
  id: string,
  title: string,
  ...body: Array<Node | string | false | null | undefined>
) =>
  h(
    'article',
    { class: 'card stat', id, attrs: { 'aria-labelledby': `${id}-title` } },
    h('h3', { id: `${id}-title` }, title),
    ...body,
  );

const when = (date: Date) =>
  h('time', { dateTime: date.toISOString(), title: dateTime(date) }, fromNow(date));

export function renderStatus(el: HTMLElement, input: StatusInput, open: (a: Attempt) => void) {
  fill(
    el,
    lastAttemptCard(input, open),
    lastLandedCard(input, open),
    ratesCard(input),
    nextAllowedCard(input.recent),
    commitCard(input.commits, open),
    leadsCard(input.recent),
  );
}

function lastAttemptCard({ recent }: StatusInput, open: (a: Attempt) => void) {
  const last = recent[0];
  if (!last) return card('last-attempt', 'Last attempt', h('p', { class: 'big' }, 'None yet'));
  return card(
    'last-attempt',
    'Last attempt',
    h('p', { class: 'big' }, statusPill(last.status), ' ', h('span', null, humanize(last.mode))),
    h(
      'p',
      null,
      last.block_number === null ? 'no block' : `block ${block(last.block_number)}`,
      ' · ',
      when(last.ts),
      ' · ',
      humanize(last.trigger),
    ),
    last.error_code &&
      h('p', { class: 'note' }, h('strong', null, last.error_code), ': ', last.error_message ?? ''),
    details(last, open),
  );
}

/** Did the weights land today: the newest attempt that reached the chain. */
function lastLandedCard({ lastLanded }: StatusInput, open: (a: Attempt) => void) {
  if (!lastLanded)
    return card('last-landed', 'Last landed', h('p', { class: 'big' }, 'Nothing yet'));
  return card(
    'last-landed',
    'Last landed',
    h('p', { class: 'big' }, when(lastLanded.ts)),
    h(
      'p',
      null,
      `${humanize(lastLanded.mode)} in block ${block(lastLanded.block_number)} · `,
      `${lastLanded.uids.length} uids`,
    ),
    details(lastLanded, open),
  );
}

const details = (a: Attempt, open: (a: Attempt) => void) =>
  h(
    'p',
    null,
    h(
      'button',
      { type: 'button', class: 'link', on: { click: () => open(a) } },
      'Details',
      h('span', { class: 'visually-hidden' }, ` of the attempt at ${dateTime(a.ts)}`),
    ),
  );

function rate(label: string, counts: Counts | undefined) {
  const value = counts && successRate(counts);
  const other = counts ? counts.total - counts.landed - counts.failed : 0;
  return h(
    'div',
    { class: 'rate' },
    h('dt', null, label),
    h(
      'dd',
      null,
      h(
        'span',
        { class: 'rate-value' },
        counts === undefined ? '…' : value === undefined ? '—' : `${Math.round(value * 100)}%`,
      ),
      h(
        'span',
        { class: 'muted' },
        counts === undefined
          ? ''
          : ` ${counts.landed} of ${counts.landed + counts.failed} sends landed` +
              (other ? ` · ${other} skipped or rate-limited` : ''),
      ),
    ),
  );
}

function ratesCard({ day, week }: StatusInput) {
  return card(
    'success-rate',
    'Success rate',
    h('dl', { class: 'rates' }, rate('24 h', day), rate('7 days', week)),
  );
}

function nextAllowedCard(recent: Attempt[]) {
  const next = nextAllowed(recent);
  if (!next) return card('next-allowed', 'Next allowed block', h('p', { class: 'big' }, '—'));
  return card(
    'next-allowed',
    'Next allowed block',
    h('p', { class: 'big' }, block(next.block)),
    ...eta(next.atMs),
    next.etaSeconds !== undefined &&
      h(
        'p',
        { class: 'muted small' },
        `estimated ${next.etaSeconds} s after the last ${next.from.status} attempt`,
      ),
  );
}

function eta(atMs: number | undefined): HTMLElement[] {
  if (atMs === undefined) return [h('p', { class: 'muted' }, 'no estimate')];
  const at = new Date(atMs);
  if (atMs <= Date.now()) return [h('p', null, 'reached ', when(at))];
  return [
    h(
      'p',
      null,
      `ETA in ${duration((atMs - Date.now()) / 1000)}, at `,
      h('time', { dateTime: at.toISOString() }, dateTime(at).slice(11)),
    ),
  ];
}

function commitCard(commits: Attempt[], open: (a: Attempt) => void) {
  const waiting = commits.filter(isOpenCommit);
  if (waiting.length === 0)
    return card(
      'open-commit',
      'Commit waiting for reveal',
      h('p', { class: 'big' }, 'None'),
      h('p', { class: 'muted' }, 'No commit is waiting for its reveal.'),
    );
  return card(
    'open-commit',
    'Commit waiting for reveal',
    ...waiting
      .slice(0, 2)
      .map((c) =>
        h(
          'div',
          { class: 'commit' },
          h('p', { class: 'big' }, humanize(c.mode), ' ', h('span', null, block(c.block_number))),
          h(
            'p',
            null,
            c.first_reveal_block !== undefined
              ? `reveal window blocks ${block(c.first_reveal_block)}–${block(c.last_reveal_block)}`
              : 'reveal window unknown',
            c.reveal_round ? ` · drand round ${c.reveal_round}` : '',
          ),
          h(
            'p',
            { class: 'muted' },
            'committed ',
            when(c.ts),
            ' ',
            h('button', { type: 'button', class: 'link', on: { click: () => open(c) } }, 'Details'),
          ),
        ),
      ),
  );
}

function leadsCard(recent: Attempt[]) {
  const scoring = lastScoring(recent);
  if (!scoring) return card('leads', 'Leads in the last scoring', h('p', { class: 'big' }, '—'));
  return card(
    'leads',
    'Leads in the last scoring',
    h(
      'p',
      { class: 'big' },
      `${scoring.counted} counted`,
      h('span', { class: 'muted' }, ` of ${scoring.read} read`),
    ),
    scoring.skipped.length === 0
      ? h('p', { class: 'muted' }, 'None skipped')
      : h(
          'ul',
          { class: 'reasons', attrs: { 'aria-label': 'Skipped leads by reason' } },
          ...scoring.skipped.map(([reason, n]) =>
            h('li', null, h('span', null, humanize(reason)), h('strong', null, String(n))),
          ),
        ),
    h('p', { class: 'muted small' }, 'scored ', when(scoring.at.ts)),
  );
}
