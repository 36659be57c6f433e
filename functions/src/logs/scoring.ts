/** Log lines of the scoring run. The wording matches the Python validator's score.py. */
import type { Logger } from './logger';

/** How many miners the summary lists. */
export const TOP_MINERS_LOGGED = 5;

export function starting(log: Logger): void {
  log.info('Starting miner share calculation');
}

export function configurationLoaded(log: Logger, projectId: string): void {
  log.info(`Configuration loaded for project: ${projectId}`);
}

export function window(log: Logger, days: number, start: string, end: string): void {
  log.info(`Will calculate shares for last ${days} days`, { window_start: start, window_end: end });
}

export function componentWeights(log: Logger, curated: number, sourced: number): void {
  log.info(`Weights: Curated=${curated}, Sourced=${sourced}`);
}

export function unexpectedCreatedAtType(log: Logger, type: string, leadId: string): void {
  log.warn(`Unexpected created_at type: ${type}`, { lead_id: leadId });
}

export function unparseableCreatedAt(log: Logger, value: string, leadId: string): void {
  log.warn(`Unparseable created_at value: ${value}`, { lead_id: leadId });
}

export function leadMissingHotkey(log: Logger, field: string, leadId: string): void {
  log.warn(`Skipping lead ${leadId}: missing ${field}`, { lead_id: leadId, field });
}

export function leadInvalidHotkey(log: Logger, field: string, leadId: string): void {
  log.warn(`Skipping lead ${leadId}: ${field} is not an SS58 address`, { lead_id: leadId, field });
}

/** Skipped leads warned about one by one (tally.ts's SKIPPED_LEADS_LISTED); the rest are counted. */
const NAMED_SKIPS = 100;

export function skippedSummary(log: Logger, skipped: Record<string, number>, total: number): void {
  const parts = Object.entries(skipped)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${reason}=${count}`);
  const named = total > NAMED_SKIPS ? ` (the first ${NAMED_SKIPS} named above)` : '';
  log.warn(`Skipped ${total} leads${named}: ${parts.join(', ')}`, { skipped });
}

export function finalShares(log: Logger, miners: number): void {
  log.info(`Final shares calculated for ${miners} miners`);
}

export function noLeads(log: Logger): void {
  log.info('No scorable leads in the window: no miner has a share');
}

export function topMiners(
  log: Logger,
  top: ReadonlyArray<{ hotkey: string; share: number; curated: number; sourced: number }>,
): void {
  log.info(`Top ${TOP_MINERS_LOGGED} miners by share:`);
  for (const miner of top) {
    log.info(
      `  ${miner.hotkey}: ${miner.share.toFixed(4)} (curated: ${miner.curated}, sourced: ${miner.sourced})`,
    );
  }
}
