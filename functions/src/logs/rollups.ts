/** Log lines of the lead rollups: the trigger, scoring's choice of method, rebuild and check. */
import type { Logger } from './logger';

export function leadObserved(log: Logger, leadId: string, applied: boolean): void {
  if (applied) log.info(`Lead ${leadId} recorded for scoring`, { lead_id: leadId });
  else log.info(`Lead ${leadId}: this write was already recorded`, { lead_id: leadId });
}

export function rebuildUnderWay(log: Logger): void {
  log.warn('Lead rollups are being rebuilt: this run reads every lead of the window');
}

export function partialCoverage(log: Logger, coveredFrom: string): void {
  log.warn(
    `Lead rollups hold leads created from ${coveredFrom} on: this run reads the leads before it ` +
      'and every lead skipped for created_at (run `weights rollups rebuild` once to stop this)',
    { covered_from: coveredFrom },
  );
}

export function notCoveredYet(log: Logger): void {
  log.warn('Lead rollups do not cover this window yet: this run reads every lead of the window');
}

export function fallingBack(log: Logger, reason: string): void {
  log.warn(`${reason}: this run reads every lead of the window instead`, { reason });
}

/** One line for every lead a fold left pending: a count and the first few ids. */
export function leadsNotFolded(
  log: Logger,
  stuck: ReadonlyArray<{ id: string; reason: string }>,
  count: number,
): void {
  const shown = stuck.slice(0, 5).map(({ id }) => JSON.stringify(id));
  const more = count > shown.length ? `, … (${count - shown.length} more)` : '';
  log.warn(
    `${count} lead(s) could not be folded into the rollups and stay pending: ${shown.join(', ')}${more}`,
    { lead_ids: stuck.map(({ id }) => id), count },
  );
}

export function rebuildNoTrigger(log: Logger): void {
  log.warn(
    'No lead write has been observed by the functions yet: deploy them before the rebuild, or ' +
      'leads written while it runs are missed until they change',
  );
}

export function rebuildDone(
  log: Logger,
  gen: number,
  resumed: boolean,
  leads: number,
  seconds: number,
): void {
  log.info(
    `Lead rollups ${resumed ? 'rebuild resumed and finished' : 'rebuilt'} (generation ${gen}): ` +
      `${leads} leads in ${seconds.toFixed(1)} s (${Math.round(leads / Math.max(seconds, 1e-3))} leads/s)`,
  );
}

export function checkMethod(log: Logger, status: string, method: string): void {
  log.info(
    `The rollups are ${status}: compared as scoring counts now (${method}); ` +
      'run `weights rollups rebuild` for complete rollups',
  );
}

export function checkUnseen(log: Logger, unseen: ReadonlyArray<[string, number]>): void {
  const parts = unseen.map(([reason, n]) => `${reason}=${n}`).join(', ');
  log.info(
    `Leads skipped for created_at that only the rollups hold (the full scan's queries cannot ` +
      `find them; not a difference): ${parts}`,
  );
}

export function checkAgrees(log: Logger, miners: number, counted: number): void {
  log.info(`Rollups and full scan agree: ${miners} miners, ${counted} leads counted`);
}

export function checkDiffers(log: Logger, what: string, rollups: unknown, fullScan: unknown): void {
  log.error(
    `Differs: ${what}: rollups ${JSON.stringify(rollups)}, full scan ${JSON.stringify(fullScan)}`,
  );
}
