/** A status as words and a colour (never colour alone). */
import { h, isolate } from '../dom';
import { isWellFormed, type Attempt } from '../model';

const TONE: Record<string, string> = {
  included: 'ok',
  finalized: 'ok',
  failed: 'bad',
  'rate-limited': 'warn',
  submitting: 'warn',
  skipped: 'muted',
  'dry-run': 'muted',
  dropped: 'bad',
};

export const statusPill = (status: string) =>
  h('span', { class: `pill ${TONE[status] ?? 'muted'}` }, isolate(status));

/** A malformed record says so instead of its status, which may be anything. */
export const recordPill = (a: Attempt) =>
  isWellFormed(a)
    ? statusPill(a.status)
    : h('span', { class: 'pill bad malformed', dataset: { malformed: '' } }, 'malformed');
