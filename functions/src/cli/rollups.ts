/** `weights rollups rebuild` and `weights rollups check`: what they print. */
import type { Firestore } from 'firebase-admin/firestore';
import { canonicalHotkey } from '../leads/hotkey';
import type { Logger } from '../logs/logger';
import * as logs from '../logs/rollups';
import { rebuildRollups, type RebuildProgress } from '../rollups/rebuild';
import { RollupStore } from '../rollups/store';
import type { CheckOutcome } from '../scoring/check';

const BAR_WIDTH = 30;
/** Redraw the bar at most this often: a terminal does not need 10,000 frames a second. */
const REDRAW_MS = 100;

export async function rebuildWithProgress(
  db: Firestore,
  collection: string,
  restart: boolean,
  log: Logger,
): Promise<void> {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  let drawn = 0;
  let from: number | undefined;
  const draw = ({ scanned, total }: RebuildProgress, force = false) => {
    from ??= scanned;
    if (!tty || (!force && performance.now() - drawn < REDRAW_MS)) return;
    drawn = performance.now();
    const share = total > 0 ? Math.min(scanned / total, 1) : 1;
    const filled = Math.round(share * BAR_WIDTH);
    const rate = (scanned - from) / Math.max((performance.now() - started) / 1000, 1e-3);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(share * 100).toFixed(0)}% ` +
        `${scanned}/${total} leads, ${Math.round(rate)} leads/s `,
    );
  };
  const store = new RollupStore(db, collection);
  const outcome = await rebuildRollups(store, canonicalHotkey, { restart, onProgress: draw });
  if (tty) process.stderr.write('\n');
  if (!outcome.triggerSeen) logs.rebuildNoTrigger(log);
  const seconds = (performance.now() - started) / 1000;
  logs.rebuildDone(log, outcome.gen, outcome.resumed, outcome.scanned, seconds);
}

export function checkSummary({ rollups, fullScan, differences, unseenByFullScan }: CheckOutcome) {
  return {
    method: rollups.method,
    rollups: rollups.rollups,
    ...(rollups.fallback ? { fallback: rollups.fallback } : {}),
    counted: { rollups: rollups.tally.leads.counted, full_scan: fullScan.tally.leads.counted },
    miners: { rollups: rollups.tally.miners.size, full_scan: fullScan.tally.miners.size },
    differences,
    unseen_by_full_scan: unseenByFullScan,
  };
}

export function printCheck(
  { rollups, differences, unseenByFullScan }: CheckOutcome,
  log: Logger,
): void {
  if (rollups.method !== 'rollups' && !rollups.fallback)
    logs.checkMethod(log, rollups.rollups.status, rollups.method);
  const unseen = Object.entries(unseenByFullScan);
  if (unseen.length > 0) logs.checkUnseen(log, unseen);
  if (differences.length === 0) {
    logs.checkAgrees(log, rollups.tally.miners.size, rollups.tally.leads.counted);
  }
  for (const { what, rollups: a, full_scan: b } of differences) logs.checkDiffers(log, what, a, b);
}
