/**
 * `validator_state/health`: the latest evaluation, the open incident and the incident history,
 * and the pure rule that moves it on. An incident opens when the status leaves `ok` and closes
 * when it comes back, once each: the decision is taken in a Firestore transaction against the
 * stored status, so a restart, a retried schedule or two evaluations at once never open, close or
 * announce anything twice. While an incident stays open, reminders go out at most every
 * `reminderMinutes`, at most `maxReminders` times.
 */
import type { HealthConfig } from './config';
import { worst, type HealthEvaluation, type HealthStatus } from './evaluate';

export const HEALTH_DOC = 'health';
/** Closed incidents and deliveries kept in the document, newest first. */
export const HISTORY_LIMIT = 50;

export type MessageKind = 'opened' | 'escalated' | 'eased' | 'reminder' | 'resolved';

export interface Incident {
  id: string;
  opened_at: string;
  /** The status now (warning or critical), and the worst it reached. */
  status: HealthStatus;
  worst: HealthStatus;
  /** Every reason code seen while it was open. */
  codes: string[];
  last_notified_at?: string;
  reminders: number;
  closed_at?: string;
}

export interface Delivery {
  incident_id: string;
  kind: MessageKind;
  format: string;
  outcome: 'delivered' | 'failed';
  /** One entry per attempt: when, what happened (an HTTP status or an error code, never a URL). */
  attempts: Array<{ at: string; result: string; waited_ms: number }>;
  at: string;
}

export interface HealthDoc {
  status: HealthStatus;
  /** When the current status began. */
  since: string;
  evaluation: HealthEvaluation;
  incident: Incident | null;
  /** Closed incidents, newest first. */
  incidents: Incident[];
  deliveries: Delivery[];
  updated_at: string;
}

export interface Transition {
  doc: HealthDoc;
  /** Set when the status changed: one structured log entry. */
  changed?: { from: HealthStatus; to: HealthStatus };
  /** Set when the webhook has something to say. */
  message?: { kind: MessageKind; incident: Incident };
}

export function transition(
  previous: HealthDoc | undefined,
  evaluation: HealthEvaluation,
  config: Pick<HealthConfig, 'reminderMinutes' | 'maxReminders'>,
): Transition {
  const now = evaluation.evaluated_at;
  const from = previous?.status ?? 'ok';
  let to = evaluation.status;
  // The chain could not be read: that says nothing about the chain's own findings, so an open
  // incident neither eases nor closes on it.
  if (evaluation.reasons.some((r) => r.code === 'chain_unreachable') && previous?.incident)
    to = worst(to, from);
  const history = previous?.incidents ?? [];
  const base = {
    evaluation: { ...evaluation, status: to },
    deliveries: previous?.deliveries ?? [],
    updated_at: now,
  };
  const codes = evaluation.reasons.filter((r) => r.severity !== 'info').map((r) => r.code);
  const open = previous?.incident ?? null;

  if (to === 'ok') {
    if (!open)
      return {
        doc: {
          ...base,
          status: 'ok',
          since: previous?.since ?? now,
          incident: null,
          incidents: history,
        },
      };
    const closed: Incident = { ...open, status: 'ok', closed_at: now };
    return {
      doc: {
        ...base,
        status: 'ok',
        since: now,
        incident: null,
        incidents: [closed, ...history].slice(0, HISTORY_LIMIT),
      },
      changed: { from, to },
      message: { kind: 'resolved', incident: closed },
    };
  }
  if (!open) {
    const incident: Incident = {
      id: `health-${now.replace(/[^0-9]/g, '')}`,
      opened_at: now,
      status: to,
      worst: to,
      codes,
      last_notified_at: now,
      reminders: 0,
    };
    return {
      doc: { ...base, status: to, since: now, incident, incidents: history },
      changed: { from, to },
      message: { kind: 'opened', incident },
    };
  }
  const incident: Incident = {
    ...open,
    status: to,
    worst: worst(open.worst, to),
    codes: [...new Set([...open.codes, ...codes])],
  };
  if (to !== from) {
    incident.last_notified_at = now;
    return {
      doc: { ...base, status: to, since: now, incident, incidents: history },
      changed: { from, to },
      message: { kind: to === 'critical' ? 'escalated' : 'eased', incident },
    };
  }
  const last = Date.parse(open.last_notified_at ?? open.opened_at);
  const due =
    config.reminderMinutes > 0 &&
    open.reminders < config.maxReminders &&
    Date.parse(now) - last >= config.reminderMinutes * 60_000;
  if (due) {
    incident.reminders = open.reminders + 1;
    incident.last_notified_at = now;
  }
  return {
    doc: { ...base, status: to, since: previous?.since ?? now, incident, incidents: history },
    message: due ? { kind: 'reminder', incident } : undefined,
  };
}
