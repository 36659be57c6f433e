/**
 * The weight-health banner: what the hourly check (validator_state/health) found when it is not
 * `ok`: the status, since when, each reason in plain words and what to do. Live (onSnapshot): it
 * appears and clears without a reload. The document is optional (a project that never ran the
 * check, or rules from before it): an error hides the banner and leaves the page alone.
 */
import { doc, onSnapshot, type Firestore } from 'firebase/firestore';
import { fill, h } from '../dom';
import { dateTime, fromNow, humanize } from '../format';

export interface HealthBanner {
  status: 'warning' | 'critical';
  since?: Date;
  incident?: string;
  reasons: Array<{ code: string; severity: string; message: string; action: string }>;
  evaluatedAt?: Date;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const date = (value: unknown) => {
  const d = typeof value === 'string' ? new Date(value) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
};

/** What the banner shows of the stored document; nothing when health is ok or unknown. */
export function toHealthBanner(
  data: Record<string, unknown> | undefined,
): HealthBanner | undefined {
  const status = data?.status;
  if (status !== 'warning' && status !== 'critical') return undefined;
  const evaluation = (data?.evaluation ?? {}) as Record<string, unknown>;
  const reasons = Array.isArray(evaluation.reasons) ? evaluation.reasons : [];
  const incident = (data?.incident ?? undefined) as Record<string, unknown> | undefined;
  return {
    status,
    since: date(data?.since),
    incident: text(incident?.id) || undefined,
    evaluatedAt: date(evaluation.evaluated_at),
    reasons: reasons
      .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null)
      .filter((r) => r.severity !== 'info')
      .map((r) => ({
        code: text(r.code),
        severity: text(r.severity),
        message: text(r.message),
        action: text(r.action),
      })),
  };
}

export function renderHealth(el: HTMLElement, banner: HealthBanner | undefined): void {
  el.hidden = banner === undefined;
  el.dataset.status = banner?.status ?? 'ok';
  if (!banner) {
    el.replaceChildren();
    return;
  }
  const since = banner.since
    ? h(
        'span',
        null,
        ' since ',
        h('time', { dateTime: banner.since.toISOString() }, dateTime(banner.since)),
        ` (${fromNow(banner.since)})`,
      )
    : null;
  fill(
    el,
    h(
      'h2',
      { id: 'health-title' },
      `Weights at risk: ${banner.status === 'critical' ? 'critical' : 'warning'}`,
      since,
    ),
    h(
      'ul',
      null,
      ...banner.reasons.map((r) =>
        h(
          'li',
          { dataset: { code: r.code, severity: r.severity } },
          h('strong', null, humanize(r.code)),
          `: ${r.message}.`,
          h('br'),
          h('span', { class: 'health-action' }, `What to do: ${r.action}.`),
        ),
      ),
    ),
    h(
      'p',
      { class: 'muted' },
      banner.incident ? `Incident ${banner.incident}. ` : '',
      banner.evaluatedAt ? `Checked ${fromNow(banner.evaluatedAt)} by the hourly run; ` : '',
      'run weights health for the numbers.',
    ),
  );
}

/** Keeps `el` in step with validator_state/health; returns the unsubscribe. */
export function watchHealth(db: Firestore, el: HTMLElement): () => void {
  return onSnapshot(
    doc(db, 'validator_state', 'health'),
    (snapshot) => renderHealth(el, toHealthBanner(snapshot.data())),
    () => renderHealth(el, undefined),
  );
}
