/**
 * Miner shares from the curated leads in Firestore: the scoring run end to end.
 *
 * The counts come from the rollups when they hold every lead (rollups/): the run folds the leads
 * written since the last run, then reads at most 31 day documents and the leads at the window's
 * start edge, whatever the number of leads. Before a rebuild, the rollups hold only what the
 * trigger observed: the run reads the leads for the span before that (a mixed run) and says so.
 * `method: 'full_scan'` reads every lead of the window, as before the rollups.
 */
import type { Firestore } from 'firebase-admin/firestore';
import type { ScoringConfig, ScoringMethodSetting } from '../config/scoring';
import { microsToIso, windowEndingAt, type Window } from '../leads/window';
import type { Logger } from '../logs/logger';
import * as rollupLogs from '../logs/rollups';
import * as logs from '../logs/scoring';
import { HOUR_MICROS } from '../rollups/buckets';
import { CREATED_AT_SKIPS, HOTKEY_SKIPS, type SkipReason } from '../rollups/contribution';
import { foldPending, type FoldOutcome } from '../rollups/fold';
import { readRollupWindow, RollupReadError, type RollupRead } from '../rollups/read';
import { RollupStore, type RollupState } from '../rollups/store';
import type { WindowCounts } from '../rollups/window-plan';
import { scanWindow, warnSkipped } from './full-scan';
import { computeShares, shareStats, type MinerCounts, type ShareStats } from './shares';
import { Tally, type LeadCounts, type SkippedLead } from './tally';

export type { SkipReason } from '../rollups/contribution';
export { SKIPPED_LEADS_LISTED } from './tally';

/** How the run counted: from the rollups, by reading the leads, or both (each its own span). */
export type ScoringMethod = 'rollups' | 'full_scan' | 'mixed';
export type RollupsStatus = 'absent' | 'rebuilding' | 'partial' | 'complete';

export interface ScoringResult {
  /** Hotkey → share, highest first; shares sum to 1 when any lead counted. */
  weights_dict: Record<string, number>;
  stats: ShareStats;
  /** Per miner: curated leads it curated, and curated leads it sourced. */
  miners: Record<string, MinerCounts>;
  window: { start: string; end: string; days: number };
  weights: { curated: number; sourced: number };
  method: ScoringMethod;
  /** Documents this run read: rollup state and days, and leads or their rollup records. */
  reads: { documents: number; aggregates: number; leads: number };
  rollups: {
    status: RollupsStatus;
    generation?: number;
    /** In a mixed run: leads created from this instant on were counted from the rollups. */
    covered_from?: string;
    /** Leads whose change this run folded into the rollups. */
    folded: number;
  };
  leads: LeadCounts;
  /** The first SKIPPED_LEADS_LISTED skipped leads, with the reason. */
  skipped_leads: SkippedLead[];
  /** Why this run read the leads although the rollups were there (method `full_scan`). */
  fallback?: ScoringFallback;
}

/**
 * The rollups could not be used: folding or reading them failed. The run read every lead of the
 * window instead (the result is the same, the reads are not), and says what failed.
 */
export interface ScoringFallback {
  /**
   * `fold_failed`: the fold stopped (Firestore refused or could not be reached); `leads_not_folded`:
   * some leads could not be folded and keep their pending marker; `read_failed`: a rollup
   * document could not be read as the rollups write it.
   */
  code: 'fold_failed' | 'leads_not_folded' | 'read_failed';
  reason: string;
  /** The rollup document that failed, from the collection of the leads' rollups down. */
  document?: string;
  /** The (first) lead that failed, and how many did. */
  lead?: string;
  leads_failed?: number;
}

export interface CalculateWeightsInput {
  db: Firestore;
  projectId: string;
  config: ScoringConfig;
  log: Logger;
  /** The end of the window; the clock is an argument so runs are reproducible. */
  now: Date;
  /** Overrides config.method (the CLI's --full-scan). */
  method?: ScoringMethodSetting;
}

export async function calculateWeights({
  db,
  projectId,
  config,
  log,
  now,
  method,
}: CalculateWeightsInput): Promise<ScoringResult> {
  const window = windowEndingAt(now, config.windowDays);
  const start = microsToIso(window.startMicros);
  const end = microsToIso(window.endMicros);
  logs.starting(log);
  logs.configurationLoaded(log, projectId);
  logs.window(log, config.windowDays, start, end);
  logs.componentWeights(log, config.curatedWeight, config.sourcedWeight);

  const counted = await countWindow(db, config.curatedLeadsCollection, window, log, {
    fullScan: (method ?? config.method) === 'full_scan',
  });
  const { tally } = counted;

  const totalSkipped = tally.totalSkipped();
  if (totalSkipped > 0) logs.skippedSummary(log, tally.leads.skipped, totalSkipped);

  const ranked = computeShares(tally.miners, {
    curated: config.curatedWeight,
    sourced: config.sourcedWeight,
  });
  logs.finalShares(log, ranked.length);
  if (ranked.length === 0) logs.noLeads(log);
  else logs.topMiners(log, ranked.slice(0, logs.TOP_MINERS_LOGGED));

  return {
    weights_dict: Object.fromEntries(ranked.map((miner) => [miner.hotkey, miner.share])),
    stats: shareStats(ranked),
    miners: Object.fromEntries(
      ranked.map(({ hotkey, curated, sourced }) => [hotkey, { curated, sourced }]),
    ),
    window: { start, end, days: config.windowDays },
    weights: { curated: config.curatedWeight, sourced: config.sourcedWeight },
    method: counted.method,
    reads: {
      documents: counted.reads.aggregates + counted.reads.leads,
      ...counted.reads,
    },
    rollups: counted.rollups,
    leads: tally.leads,
    skipped_leads: tally.skippedLeads,
    ...(counted.fallback ? { fallback: counted.fallback } : {}),
  };
}

export interface WindowTally {
  tally: Tally;
  method: ScoringMethod;
  reads: { aggregates: number; leads: number };
  rollups: ScoringResult['rollups'];
  fallback?: ScoringFallback;
}

/**
 * The window's counts, from the rollups where they cover it and from the leads elsewhere (see
 * chooseMethod). Skipped leads are warned about here; the shares are the caller's.
 */
export async function countWindow(
  db: Firestore,
  collection: string,
  window: Window,
  log: Logger,
  { fullScan }: { fullScan: boolean },
): Promise<WindowTally> {
  const tally = new Tally();
  const reads = { aggregates: 0, leads: 0 };
  if (fullScan) {
    reads.leads += await scanWindow(db, collection, window, log, tally);
    return { tally, method: 'full_scan', reads, rollups: { status: 'absent', folded: 0 } };
  }
  const store = new RollupStore(db, collection);
  // Whatever fails in the rollups, the run counts the window from the leads and says why.
  const fallBack = async (
    fallback: ScoringFallback,
    folded = 0,
    state?: RollupState,
  ): Promise<WindowTally> => {
    rollupLogs.fallingBack(log, fallback.reason);
    reads.leads += await scanWindow(db, collection, window, log, tally);
    const rollups: ScoringResult['rollups'] = {
      status: chooseMethod(state, window).status,
      folded,
    };
    if (state) rollups.generation = state.gen;
    return { tally, method: 'full_scan', reads, rollups, fallback };
  };
  let fold: FoldOutcome;
  try {
    fold = await foldPending(store);
  } catch (error) {
    return fallBack({
      code: 'fold_failed',
      reason: `the lead rollups could not be folded: ${messageOf(error)}`,
    });
  }
  addReads(reads, fold.reads);
  if (fold.stuckCount > 0) {
    const [first] = fold.stuck;
    const more = fold.stuckCount > 1 ? ` (and ${fold.stuckCount - 1} more)` : '';
    rollupLogs.leadsNotFolded(log, fold.stuck, fold.stuckCount);
    return fallBack(
      {
        code: 'leads_not_folded',
        reason: `lead ${JSON.stringify(first.id)}${more} could not be folded into the rollups: ${first.reason}`,
        lead: first.id,
        leads_failed: fold.stuckCount,
      },
      fold.folded,
      fold.state,
    );
  }
  let choice: MethodChoice = { method: 'full_scan', status: 'absent' };
  let read: RollupRead;
  try {
    read = await readRollupWindow(store, (state) => {
      choice = chooseMethod(state, window);
      return choice.rollupsWindow;
    });
  } catch (error) {
    const document = error instanceof RollupReadError ? error.document : undefined;
    return fallBack(
      {
        code: 'read_failed',
        reason: `the lead rollups could not be read: ${messageOf(error)}`,
        ...(document ? { document } : {}),
      },
      fold.folded,
      fold.state,
    );
  }
  addReads(reads, read.reads);
  const rollups: ScoringResult['rollups'] = { status: choice.status, folded: fold.folded };
  if (read.state) rollups.generation = read.state.gen;

  if (choice.status === 'rebuilding') rollupLogs.rebuildUnderWay(log);
  if (choice.method === 'rollups' && read.counts && read.state) {
    addRollupCounts(tally, read.counts, log);
    addTotals(tally, read.state, log);
  } else if (choice.method === 'mixed' && read.counts && choice.rollupsWindow) {
    const covered = choice.rollupsWindow;
    rollups.covered_from = microsToIso(covered.startMicros);
    rollupLogs.partialCoverage(log, rollups.covered_from);
    const before = { startMicros: window.startMicros, endMicros: covered.startMicros - 1 };
    const inCovered = (micros: number) =>
      micros >= covered.startMicros && micros <= covered.endMicros;
    reads.leads += await scanWindow(db, collection, before, log, tally, inCovered);
    addRollupCounts(tally, read.counts, log);
  } else {
    if (choice.status === 'partial') rollupLogs.notCoveredYet(log);
    reads.leads += await scanWindow(db, collection, window, log, tally);
  }
  return { tally, method: choice.method, reads, rollups };
}

export interface MethodChoice {
  method: ScoringMethod;
  status: RollupsStatus;
  /** The span read from the rollups (all of the window, or its end from the covered hour on). */
  rollupsWindow?: Window;
}

/**
 * Which way to count, from the rollups' state. Before any rebuild, the rollups hold every lead
 * written since the trigger first ran: leads created from the next whole hour on (a lead is
 * written after it is created), and not the leads skipped for `created_at`, which have no hour.
 */
export function chooseMethod(state: RollupState | undefined, window: Window): MethodChoice {
  if (!state) return { method: 'full_scan', status: 'absent' };
  if (state.rebuild) return { method: 'full_scan', status: 'rebuilding' };
  if (state.complete) return { method: 'rollups', status: 'complete', rollupsWindow: window };
  const observed = state.observed_from;
  if (!observed) return { method: 'full_scan', status: 'partial' };
  const micros = observed.seconds * 1e6 + Math.floor(observed.nanoseconds / 1000);
  const coveredFrom = Math.ceil(micros / HOUR_MICROS) * HOUR_MICROS;
  if (coveredFrom > window.endMicros) return { method: 'full_scan', status: 'partial' };
  return {
    method: 'mixed',
    status: 'partial',
    rollupsWindow: {
      startMicros: Math.max(coveredFrom, window.startMicros),
      endMicros: window.endMicros,
    },
  };
}

function addRollupCounts(tally: Tally, counts: WindowCounts, log: Logger): void {
  tally.add(counts.miners, counts.counted);
  for (const reason of HOTKEY_SKIPS) tally.leads.skipped[reason] += counts.skipped[reason];
  listSamples(tally, counts.samples, log);
}

/** What only complete rollups know: leads skipped for `created_at`, and every lead. */
function addTotals(tally: Tally, state: RollupState, log: Logger): void {
  const { totals } = state;
  for (const reason of CREATED_AT_SKIPS)
    tally.leads.skipped[reason] += totals.bad_created_at[reason];
  listSamples(tally, totals.samples, log);
  tally.leads.total = totals.leads;
  tally.leads.outside_window = totals.leads - tally.leads.counted - tally.totalSkipped();
}

/** Lists (and warns about) skipped leads the rollups name, as the full scan does for all. */
function listSamples(
  tally: Tally,
  samples: ReadonlyArray<{ id: string; reason: SkipReason; detail?: string }>,
  log: Logger,
): void {
  for (const { id, reason, detail } of samples) {
    if (!tally.list(id, reason, detail)) return;
    warnSkipped(log, id, reason, detail);
  }
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

function addReads(
  total: { aggregates: number; leads: number },
  more: { aggregates: number; leads: number },
): void {
  total.aggregates += more.aggregates;
  total.leads += more.leads;
}
