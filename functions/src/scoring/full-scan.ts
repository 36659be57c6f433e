/**
 * Counting a window by reading its leads (leads/window.ts): the method before the rollups, the
 * one `--full-scan` forces, the fallback for what the rollups do not cover, and the reference
 * `weights rollups check` compares them with. A skipped lead is warned about by id for the first
 * SKIPPED_LEADS_LISTED of them; the run's summary line counts them all, so that a million
 * malformed leads make a hundred and one lines, not a million.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { canonicalHotkey } from '../leads/hotkey';
import { leadsInWindow, type Window } from '../leads/window';
import type { Logger } from '../logs/logger';
import * as logs from '../logs/scoring';
import { cachedCanonical, contributionOf, HOTKEY_FIELDS } from '../rollups/contribution';
import type { Tally } from './tally';

/**
 * Counts the leads of `window` into `tally`; returns the documents read. A lead outside the
 * window but at an instant `elsewhere` accepts is left to whoever counts that span (the rollups,
 * in a mixed run), neither counted nor outside.
 */
export async function scanWindow(
  db: Firestore,
  collection: string,
  window: Window,
  log: Logger,
  tally: Tally,
  elsewhere: (micros: number) => boolean = () => false,
): Promise<number> {
  const canonical = cachedCanonical(canonicalHotkey);
  let read = 0;
  for await (const lead of leadsInWindow(db, collection, window, HOTKEY_FIELDS)) {
    read += 1;
    const contribution = contributionOf(lead.data, canonical);
    if (contribution.kind === 'bad_created_at') {
      // Named one by one while the list has room; the summary line counts them all.
      if (tally.skip(lead.id, contribution.reason, contribution.detail))
        warnSkipped(log, lead.id, contribution.reason, contribution.detail);
    } else if (contribution.micros < window.startMicros || contribution.micros > window.endMicros) {
      if (!elsewhere(contribution.micros)) tally.leads.outside_window += 1;
    } else if (contribution.kind === 'skipped') {
      if (tally.skip(lead.id, contribution.reason)) warnSkipped(log, lead.id, contribution.reason);
    } else {
      tally.count(contribution.curated_by, contribution.source);
    }
  }
  tally.leads.read += read;
  return read;
}

/** The warning of a skipped lead, as the full scan has always logged it. */
export function warnSkipped(log: Logger, id: string, reason: string, detail = ''): void {
  if (reason === 'unexpected_created_at_type') logs.unexpectedCreatedAtType(log, detail, id);
  else if (reason === 'unparseable_created_at') logs.unparseableCreatedAt(log, detail, id);
  else if (reason.startsWith('missing_')) logs.leadMissingHotkey(log, reason.slice(8), id);
  else logs.leadInvalidHotkey(log, reason.slice(8), id);
}
