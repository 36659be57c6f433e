/** A status as words and a colour (never colour alone). */
import { h } from '../dom';

const TONE: Record<string, string> = {
  included: 'ok',
  finalized: 'ok',
  failed: 'bad',
  'rate-limited': 'warn',
  submitting: 'warn',
  skipped: 'muted',
  'dry-run': 'muted',
};

export const statusPill = (status: string) =>
  h('span', { class: `pill ${TONE[status] ?? 'muted'}` }, status);
