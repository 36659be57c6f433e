/**
 * `weights rollups check`: the same window counted from the rollups and by reading every lead,
 * compared miner by miner and reason by reason. Any difference is a fault of the rollups (or of
 * the scan's queries, which miss what no index finds), and `weights rollups rebuild` repairs the
 * former.
 */
import type { Firestore } from 'firebase-admin/firestore';
import type { Window } from '../leads/window';
import type { Logger } from '../logs/logger';
import { SKIP_REASONS } from '../rollups/contribution';
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
}

export async function checkRollups(
  db: Firestore,
  collection: string,
  window: Window,
  log: Logger,
): Promise<CheckOutcome> {
  const rollups = await countWindow(db, collection, window, log, { fullScan: false });
  const fullScan = await countWindow(db, collection, window, log, { fullScan: true });
  return { rollups, fullScan, differences: compareTallies(rollups.tally, fullScan.tally) };
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
  for (const reason of SKIP_REASONS) {
    const [a, b] = [rollups.leads.skipped[reason], fullScan.leads.skipped[reason]];
    if (a !== b) differences.push({ what: `skipped.${reason}`, rollups: a, full_scan: b });
  }
  return differences;
}
