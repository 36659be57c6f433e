/**
 * The optional webhook: one message when an incident opens, when it escalates or eases, a bounded
 * number of reminders while it stays open, and one when it recovers. Bodies: a generic JSON
 * object, or what chat services take from incoming webhooks (Slack's `text`, Discord's `content`).
 * Failures are retried with exponential backoff and full jitter and recorded; they never throw.
 * The URL is a secret (Slack and Discord put the key in its path): nothing here returns or logs
 * it, only an HTTP status or an error code.
 */
import type { WebhookFormat } from './config';
import { duration, type HealthEvaluation } from './evaluate';
import type { Delivery, Incident, MessageKind } from './incidents';

const HEADLINE: Record<MessageKind, string> = {
  opened: 'Weight health incident opened',
  escalated: 'Weight health escalated to CRITICAL',
  eased: 'Weight health eased to WARNING',
  reminder: 'Weight health incident still open',
  resolved: 'Weight health recovered',
};

const short = (hotkey: string | undefined) =>
  hotkey ? `${hotkey.slice(0, 6)}…${hotkey.slice(-4)}` : 'unknown validator';

/** The message in plain words: headline, then each reason with what to do. */
export function messageText(
  kind: MessageKind,
  incident: Incident,
  evaluation: HealthEvaluation,
): string {
  const status = evaluation.status.toUpperCase();
  const head = `${HEADLINE[kind]}: ${status} on subnet ${evaluation.netuid} (${short(evaluation.validator_hotkey)}), incident ${incident.id} since ${incident.opened_at}`;
  if (kind === 'resolved') {
    const n = evaluation.numbers;
    const landed = n.last_landed ? `; last landed ${n.last_landed.ts}` : '';
    const age =
      n.blocks_since_update !== undefined
        ? `; LastUpdate ${n.blocks_since_update} blocks old (cutoff ${n.activity_cutoff})`
        : '';
    return `${head}. Open for ${duration((Date.parse(evaluation.evaluated_at) - Date.parse(incident.opened_at)) / 1000)}${landed}${age}.`;
  }
  const lines = evaluation.reasons
    .filter((r) => r.severity !== 'info')
    .map((r) => `• [${r.severity}] ${r.code}: ${r.message}. What to do: ${r.action}.`);
  return [head, ...lines].join('\n');
}

export function webhookBody(
  format: Exclude<WebhookFormat, 'off'>,
  kind: MessageKind,
  incident: Incident,
  evaluation: HealthEvaluation,
): Record<string, unknown> {
  const text = messageText(kind, incident, evaluation);
  if (format === 'slack') return { text };
  // Discord refuses content over 2000 characters.
  if (format === 'discord')
    return { content: text.length > 2000 ? `${text.slice(0, 1999)}…` : text };
  return {
    event: 'weights.health',
    kind,
    status: evaluation.status,
    incident,
    netuid: evaluation.netuid,
    validator_hotkey: evaluation.validator_hotkey,
    evaluated_at: evaluation.evaluated_at,
    reasons: evaluation.reasons,
    numbers: evaluation.numbers,
    text,
  };
}

export interface DeliveryOptions {
  url: string;
  format: Exclude<WebhookFormat, 'off'>;
  attempts: number;
  retryBaseMs: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  nowMs?: () => number;
}

/** POSTs the body, retrying failures (network errors, timeouts, 429 and 5xx) with backoff. */
export async function deliver(
  options: DeliveryOptions,
  kind: MessageKind,
  incident: Incident,
  body: Record<string, unknown>,
): Promise<Delivery> {
  const post = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  const now = options.nowMs ?? Date.now;
  const attempts: Delivery['attempts'] = [];
  let waited = 0;
  for (let n = 1; n <= options.attempts; n++) {
    if (n > 1) {
      waited = Math.round(random() * options.retryBaseMs * 2 ** (n - 2));
      await sleep(waited);
    }
    const at = new Date(now()).toISOString();
    let result: string;
    let retry: boolean;
    try {
      const response = await post(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        redirect: 'error',
      });
      await response.arrayBuffer().catch(() => undefined);
      result = `http ${response.status}`;
      retry = response.status === 429 || response.status >= 500;
      if (response.ok) {
        attempts.push({ at, result, waited_ms: waited });
        return record('delivered');
      }
    } catch (error) {
      result = errorCode(error);
      retry = true;
    }
    attempts.push({ at, result, waited_ms: waited });
    if (!retry) break;
  }
  return record('failed');

  function record(outcome: Delivery['outcome']): Delivery {
    return {
      incident_id: incident.id,
      kind,
      format: options.format,
      outcome,
      attempts,
      at: new Date(now()).toISOString(),
    };
  }
}

/**
 * A failed request as a code: `timeout`, a socket error's code (ECONNREFUSED, ENOTFOUND, …) or
 * the error's class. Never its message: undici's messages and causes can carry the URL.
 */
export function errorCode(error: unknown): string {
  const e = error as { name?: string; code?: unknown; cause?: { code?: unknown; name?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  const code = e?.cause?.code ?? e?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  return typeof e?.name === 'string' && /^[A-Za-z]{1,40}$/.test(e.name) ? e.name : 'error';
}
