/** Miner shares from the curated leads in Firestore: the scoring run end to end. */
import type { DocumentData, Firestore } from 'firebase-admin/firestore';
import type { ScoringConfig } from '../config/scoring';
import { canonicalHotkey } from '../leads/hotkey';
import { leadsInWindow, microsToIso, windowEndingAt } from '../leads/window';
import type { Logger } from '../logs/logger';
import * as logs from '../logs/scoring';
import { computeShares, shareStats, type MinerCounts, type ShareStats } from './shares';

export const HOTKEY_FIELDS = ['curated_by', 'source'] as const;
type HotkeyField = (typeof HOTKEY_FIELDS)[number];

export type SkipReason =
  | 'unexpected_created_at_type'
  | 'unparseable_created_at'
  | `missing_${HotkeyField}`
  | `invalid_${HotkeyField}`;

/** How many skipped leads are listed by id; all of them are counted. */
export const SKIPPED_LEADS_LISTED = 100;

export interface ScoringResult {
  /** Hotkey → share, highest first; shares sum to 1 when any lead counted. */
  weights_dict: Record<string, number>;
  stats: ShareStats;
  /** Per miner: curated leads it curated, and curated leads it sourced. */
  miners: Record<string, MinerCounts>;
  window: { start: string; end: string; days: number };
  weights: { curated: number; sourced: number };
  leads: {
    /** Leads returned by the window queries. */
    read: number;
    /** Leads that counted towards the shares. */
    counted: number;
    /** Leads read (the queries are a little wider than the window) but outside it. */
    outside_window: number;
    skipped: Record<SkipReason, number>;
  };
  /** The first SKIPPED_LEADS_LISTED skipped leads, with the reason. */
  skipped_leads: Array<{ id: string; reason: SkipReason; detail?: string }>;
}

export interface CalculateWeightsInput {
  db: Firestore;
  projectId: string;
  config: ScoringConfig;
  log: Logger;
  /** The end of the window; the clock is an argument so runs are reproducible. */
  now: Date;
}

export async function calculateWeights({
  db,
  projectId,
  config,
  log,
  now,
}: CalculateWeightsInput): Promise<ScoringResult> {
  const window = windowEndingAt(now, config.windowDays);
  const start = microsToIso(window.startMicros);
  const end = microsToIso(window.endMicros);
  logs.starting(log);
  logs.configurationLoaded(log, projectId);
  logs.window(log, config.windowDays, start, end);
  logs.componentWeights(log, config.curatedWeight, config.sourcedWeight);

  const counts = new Map<string, MinerCounts>();
  const tally = (hotkey: string, component: keyof MinerCounts) => {
    const miner = counts.get(hotkey) ?? { curated: 0, sourced: 0 };
    miner[component] += 1;
    counts.set(hotkey, miner);
  };
  const leads: ScoringResult['leads'] = {
    read: 0,
    counted: 0,
    outside_window: 0,
    skipped: {
      unexpected_created_at_type: 0,
      unparseable_created_at: 0,
      missing_curated_by: 0,
      missing_source: 0,
      invalid_curated_by: 0,
      invalid_source: 0,
    },
  };
  const skippedLeads: ScoringResult['skipped_leads'] = [];
  const skip = (id: string, reason: SkipReason, detail?: string) => {
    leads.skipped[reason] += 1;
    if (skippedLeads.length < SKIPPED_LEADS_LISTED) {
      skippedLeads.push(detail === undefined ? { id, reason } : { id, reason, detail });
    }
  };
  const hotkeys = new HotkeyCache();

  for await (const lead of leadsInWindow(
    db,
    config.curatedLeadsCollection,
    window,
    HOTKEY_FIELDS,
  )) {
    leads.read += 1;
    if (lead.kind === 'outside_window') {
      leads.outside_window += 1;
    } else if (lead.kind === 'bad_created_at') {
      const { createdAt } = lead;
      if (createdAt.reason === 'unexpected_created_at_type') {
        logs.unexpectedCreatedAtType(log, createdAt.type, lead.id);
        skip(lead.id, createdAt.reason, createdAt.type);
      } else {
        logs.unparseableCreatedAt(log, createdAt.value, lead.id);
        skip(lead.id, createdAt.reason, createdAt.value);
      }
    } else {
      const miners = leadHotkeys(lead.data, hotkeys);
      if ('missing' in miners) {
        logs.leadMissingHotkey(log, miners.missing, lead.id);
        skip(lead.id, `missing_${miners.missing}`);
      } else if ('invalid' in miners) {
        logs.leadInvalidHotkey(log, miners.invalid, lead.id);
        skip(lead.id, `invalid_${miners.invalid}`);
      } else {
        leads.counted += 1;
        tally(miners.curated_by, 'curated');
        tally(miners.source, 'sourced');
      }
    }
  }

  const totalSkipped = Object.values(leads.skipped).reduce((a, b) => a + b, 0);
  if (totalSkipped > 0) logs.skippedSummary(log, leads.skipped, totalSkipped);

  const ranked = computeShares(counts, {
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
    leads,
    skipped_leads: skippedLeads,
  };
}

type LeadHotkeys =
  Record<HotkeyField, string> | { missing: HotkeyField } | { invalid: HotkeyField };

/** Both hotkeys of a lead, canonical, or the first field that is missing or not an address. */
function leadHotkeys(data: DocumentData, cache: HotkeyCache): LeadHotkeys {
  const found: Partial<Record<HotkeyField, string>> = {};
  for (const field of HOTKEY_FIELDS) {
    const value: unknown = data[field];
    if (value === undefined || value === null || value === '') return { missing: field };
    const hotkey = typeof value === 'string' ? cache.canonical(value) : undefined;
    if (hotkey === undefined) return { invalid: field };
    found[field] = hotkey;
  }
  return found as Record<HotkeyField, string>;
}

/** Leads repeat a few hotkeys many times; decoding each distinct string once is enough. */
class HotkeyCache {
  private readonly known = new Map<string, string | undefined>();

  canonical(value: string): string | undefined {
    if (!this.known.has(value)) this.known.set(value, canonicalHotkey(value));
    return this.known.get(value);
  }
}
