/**
 * `weights rollups check`: the same window counted from the rollups and by reading every lead,
 * compared miner by miner and reason by reason, like with like: leads skipped for `created_at`
 * are counted by the rollups whatever their value, while the full scan reaches only those its
 * range queries find, so they are reported beside the differences (`unseen_by_full_scan`), not as
 * one. Any difference is a fault of the rollups, and `weights rollups rebuild` repairs it. Rollups
 * that cannot be folded or read are a difference too, naming the lead or document that failed.
 */
import type { Firestore } from 'firebase-admin/firestore';
import type { Window } from '../leads/window';
import type { Logger } from '../logs/logger';
import { CREATED_AT_SKIPS, HOTKEY_SKIPS, type CreatedAtSkip } from '../rollups/contribution';
import { countWindow, type WindowTally } from './calculate-weights';
import type { Tally } from './tally';

export interface CheckDifference {
  /** `miner <hotkey>`, `counted` or `skipped.<reason>`. */
  what: string;
  rollups: unknown;
  full_scan: unknown;
}

export interface CheckOutcome {
  rollups: WindowTally;
  fullScan: WindowTally;
  differences: CheckDifference[];
  /**
   * Leads skipped for `created_at` that the rollups hold and the full scan's queries cannot find
   * (a boolean, null or map `created_at`, text outside the window's range…), per reason.
   */
  unseenByFullScan: Partial<Record<CreatedAtSkip, number>>;
}

export async function checkRollups(
  db: Firestore,
  collection: string,
  window: Window,
  log: Logger,
): Promise<CheckOutcome> {
  const rollups = await countWindow(db, collection, window, log, { fullScan: false });
  const fullScan = await countWindow(db, collection, window, log, { fullScan: true });
  const differences = compareTallies(rollups.tally, fullScan.tally);
  if (rollups.fallback) {
    const { code, reason, document, lead } = rollups.fallback;
    differences.unshift({
      what: document ? `rollup document ${document}` : lead ? `lead ${JSON.stringify(lead)}` : code,
      rollups: reason,
      full_scan: null,
    });
  }
  const unseenByFullScan: Partial<Record<CreatedAtSkip, number>> = {};
  if (rollups.method === 'rollups') {
    for (const reason of CREATED_AT_SKIPS) {
      const more = rollups.tally.leads.skipped[reason] - fullScan.tally.leads.skipped[reason];
      if (more > 0) unseenByFullScan[reason] = more;
    }
  }
  return { rollups, fullScan, differences, unseenByFullScan };
}

/** What differs between two tallies of one window, miners first (sorted), then the totals. */
export function compareTallies(rollups: Tally, fullScan: Tally): CheckDifference[] {
  const differences: CheckDifference[] = [];
  const hotkeys = [...new Set([...rollups.miners.keys(), ...fullScan.miners.keys()])].sort();
  for (const hotkey of hotkeys) {
    const a = rollups.miners.get(hotkey) ?? null;
    const b = fullScan.miners.get(hotkey) ?? null;
    if (a?.curated !== b?.curated || a?.sourced !== b?.sourced) {
      differences.push({ what: `miner ${hotkey}`, rollups: a, full_scan: b });
    }
  }
  if (rollups.leads.counted !== fullScan.leads.counted) {
    differences.push({
      what: 'counted',
      rollups: rollups.leads.counted,
      full_scan: fullScan.leads.counted,
    });
  }
  for (const reason of HOTKEY_SKIPS) {
    const [a, b] = [rollups.leads.skipped[reason], fullScan.leads.skipped[reason]];
    if (a !== b) differences.push({ what: `skipped.${reason}`, rollups: a, full_scan: b });
  }
  // Leads skipped for created_at: the rollups hold every one, the scan those its queries find.
  // Only a lead the scan found and the rollups do not hold is a difference.
  for (const reason of CREATED_AT_SKIPS) {
    const [a, b] = [rollups.leads.skipped[reason], fullScan.leads.skipped[reason]];
    if (b > a) differences.push({ what: `skipped.${reason}`, rollups: a, full_scan: b });
  }
  return differences;
}
