/**
 * Log lines of the sourced-lead review. A lead is named by its id only: its email address is a
 * buyer's personal data, and review reasons are built so that they never contain it.
 */
import type { Logger } from './logger';

export function leadQueued(log: Logger, leadId: string): void {
  log.info(`Sourced lead ${leadId} queued: a weight publish is in progress`, { lead_id: leadId });
}

export function leadAccepted(log: Logger, leadId: string): void {
  log.info(`Sourced lead ${leadId} accepted`, { lead_id: leadId });
}

export function leadRejected(log: Logger, leadId: string, reason: string): void {
  log.info(`Sourced lead ${leadId} rejected: ${reason}`, {
    lead_id: leadId,
    review_reason: reason,
  });
}

export function leadAlreadyReviewed(log: Logger, leadId: string, status: string): void {
  log.info(`Sourced lead ${leadId} already reviewed (${status}): nothing to do`, {
    lead_id: leadId,
    status,
  });
}

export function leadMissing(log: Logger, leadId: string): void {
  log.warn(`Sourced lead ${leadId} no longer exists: not reviewed`, { lead_id: leadId });
}

export function sweepDeferred(log: Logger): void {
  log.info('Queued sourced leads left for later: a weight publish is in progress');
}

export function sweepInterrupted(log: Logger, reviewed: number): void {
  log.info(`A weight publish started: stopped reviewing queued sourced leads after ${reviewed}`, {
    reviewed,
  });
}

export function sweepDone(log: Logger, reviewed: number): void {
  log.info(`Reviewed ${reviewed} queued sourced leads`, { reviewed });
}
