/**
 * The status cards: last attempt, last landed, success rates, next allowed block, a commit waiting
 * for its reveal, lead counts of the last scoring.
 */
import { fill, h, isolate, time } from '../dom';
import { block, brief, dateTime, duration, fromNow, humanize } from '../format';
import {
  isOpenCommit,
  isWellFormed,
  lastScoring,
  nextAllowed,
  problemSummary,
  successRate,
  type Attempt,
  type Counts,
} from '../model';
import { recordPill } from './pill';

export interface StatusInput {
  recent: Attempt[];
  lastLanded?: Attempt;
  commits: Attempt[];
  day?: Counts;
  week?: Counts;
}

type Body = Array<Node | string | false | null | undefined>;

const card = (id: string, title: string, body: Body) =>
  h(
    'article',
    { class: 'card stat', id, attrs: { 'aria-labelledby': `${id}-title` } },
    h('h3', { id: `${id}-title` }, title),
    ...body,
  );

const big = (...content: Body) => h('p', { class: 'big' }, ...content);

/** The time in the page's one format, and how long ago it was. */
const when = (date: Date) => {
  const ago = fromNow(date);
  return h(
    'span',
    { class: 'when' },
    time(date),
    ago && h('span', { class: 'muted ago' }, ` (${ago})`),
  );
};

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

export function renderStatus(el: HTMLElement, input: StatusInput, open: (a: Attempt) => void) {
  // A card that a record defeats says so; the other cards are still shown.
  const safe = (id: string, title: string, body: () => Body) => {
    try {
      return card(id, title, body());
    } catch (e) {
      console.error(`the ${id} card could not be shown`, e);
      return card(id, title, [h('p', { class: 'muted' }, 'Could not be shown.')]);
    }
  };
  fill(
    el,
    safe('last-attempt', 'Last attempt', () => lastAttempt(input.recent[0], open)),
    safe('last-landed', 'Last landed', () => lastLanded(input.lastLanded, open)),
    safe('success-rate', 'Success rate', () => [
      h('dl', { class: 'rates' }, rate('24 h', input.day), rate('7 days', input.week)),
    ]),
    safe('next-allowed', 'Next allowed block', () => nextAllowedBlock(input.recent)),
    safe('open-commit', 'Commit waiting for reveal', () => openCommits(input.commits, open)),
    safe('leads', 'Leads in the last scoring', () => leads(input.recent)),
  );
}

function lastAttempt(last: Attempt | undefined, open: (a: Attempt) => void): Body {
  if (!last) return [big('None yet')];
  if (!isWellFormed(last))
    return [
      big(recordPill(last)),
      h('p', null, 'recorded ', when(last.ts)),
      h(
        'p',
        { class: 'note bad' },
        'The newest record is malformed: ',
        problemSummary(last.problems),
      ),
      details(last, open),
    ];
  return [
    big(recordPill(last), ' ', h('span', null, isolate(humanize(last.mode)))),
    h(
      'p',
      null,
      last.block_number === null ? 'no block' : `block ${block(last.block_number)}`,
      ' · ',
      when(last.ts),
      ' · ',
      isolate(humanize(last.trigger)),
    ),
    last.error_code &&
      h(
        'p',
        { class: last.status === 'failed' ? 'note bad' : 'note' },
        h('strong', null, isolate(brief(last.error_code, 80))),
        ...(last.error_message ? [': ', isolate(brief(last.error_message, 300))] : []),
      ),
    details(last, open),
  ];
}

/** Did the weights land today: the newest attempt that reached the chain. */
function lastLanded(landed: Attempt | undefined, open: (a: Attempt) => void): Body {
  if (!landed) return [big('Nothing yet')];
  return [
    big(when(landed.ts)),
    h(
      'p',
      null,
      `${humanize(landed.mode)} in block ${block(landed.block_number)} · ${landed.uids.length} uids`,
    ),
    details(landed, open),
  ];
}

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

function nextAllowedBlock(recent: Attempt[]): Body {
  const next = nextAllowed(recent);
  if (!next) return [big('—')];
  return [
    big(block(next.block)),
    eta(next.atMs),
    next.etaSeconds !== undefined &&
      h(
        'p',
        { class: 'muted small' },
        `estimated ${next.etaSeconds} s after the last ${next.from.status} attempt`,
      ),
  ];
}

function eta(atMs: number | undefined): HTMLElement {
  if (atMs === undefined) return h('p', { class: 'muted' }, 'no estimate');
  const at = new Date(atMs);
  if (atMs <= Date.now()) return h('p', null, 'reached ', when(at));
  return h('p', null, `ETA in ${duration((atMs - Date.now()) / 1000)}, at `, time(at));
}

const COMMIT_KIND: Record<string, string> = {
  commit: 'hash commit',
  timelocked_commit: 'timelocked commit',
};

function openCommits(commits: Attempt[], open: (a: Attempt) => void): Body {
  const waiting = commits.filter(isOpenCommit);
  if (waiting.length === 0)
    return [big('None'), h('p', { class: 'muted' }, 'No commit is waiting for its reveal.')];
  return waiting
    .slice(0, 2)
    .map((c) =>
      h(
        'div',
        { class: 'commit' },
        big(COMMIT_KIND[c.mode] ?? humanize(c.mode), ' ', h('span', null, block(c.block_number))),
        h(
          'p',
          null,
          c.first_reveal_block !== undefined
            ? `reveal window blocks ${block(c.first_reveal_block)}–${block(c.last_reveal_block)}`
            : 'reveal window unknown',
          ...(c.reveal_round ? [' · drand round ', isolate(brief(c.reveal_round, 40))] : []),
        ),
        h('p', { class: 'muted' }, 'committed ', when(c.ts)),
        details(c, open),
      ),
    );
}

function leads(recent: Attempt[]): Body {
  const scoring = lastScoring(recent);
  if (!scoring) return [big('—')];
  return [
    big(`${scoring.counted} counted`, h('span', { class: 'muted' }, ` of ${scoring.read} read`)),
    scoring.skipped.length === 0
      ? h('p', { class: 'muted' }, 'None skipped')
      : h(
          'ul',
          { class: 'reasons', attrs: { 'aria-label': 'Skipped leads by reason' } },
          ...scoring.skipped.map(([reason, n]) =>
            h(
              'li',
              null,
              h('span', null, isolate(brief(humanize(reason), 60))),
              h('strong', null, String(n)),
            ),
          ),
        ),
    h('p', { class: 'muted small' }, 'scored ', when(scoring.at.ts)),
  ];
}
