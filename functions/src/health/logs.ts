/**
 * Log lines of the health check. None carries the webhook URL: deliveries are described by HTTP
 * status or error code only. (The one structured entry per status change is run.ts' changeEntry.)
 */
import type { Logger } from '../logs/logger';

export function evaluated(log: Logger, status: string, codes: string[]): void {
  log.info(`Weight health: ${status}${codes.length ? ` (${codes.join(', ')})` : ''}`, {
    health_status: status,
  });
}

export function checkFailed(log: Logger, reason: string): void {
  log.error(`Weight health check failed: ${reason}`);
}

export function webhookUnset(log: Logger, kind: string): void {
  log.warn(
    `Weight health webhook not sent (${kind}): HEALTH_WEBHOOK_FORMAT is set but the HEALTH_WEBHOOK_URL secret is empty or none`,
  );
}

export function webhookDelivered(
  log: Logger,
  kind: string,
  incident: string,
  attempts: number,
): void {
  log.info(`Weight health webhook delivered (${kind}, incident ${incident}, attempt ${attempts})`, {
    incident_id: incident,
  });
}

export function webhookFailed(
  log: Logger,
  kind: string,
  incident: string,
  results: string[],
): void {
  log.warn(
    `Weight health webhook failed (${kind}, incident ${incident}) after ${results.length} attempt(s): ${results.join(', ')}`,
    { incident_id: incident },
  );
}

export function scheduleHealthFailed(log: Logger, reason: string): void {
  log.error(`The scheduled weight health check could not run: ${reason}`);
}
