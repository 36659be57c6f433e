/** What a scoring run counts, whichever way it reads the leads (full scan, rollups or both). */
import { SKIP_REASONS, type SkipReason } from '../rollups/contribution';
import type { MinerCounts } from './shares';

/** How many skipped leads are listed by id; all of them are counted. */
export const SKIPPED_LEADS_LISTED = 100;

export interface LeadCounts {
  /** Lead documents read, or their rollup records. */
  read: number;
  /** Leads that counted towards the shares. */
  counted: number;
  /**
   * Leads outside the window: with the rollups, every such lead of the collection; with the full
   * scan, those read (its queries are a little wider than the window).
   */
  outside_window: number;
  skipped: Record<SkipReason, number>;
  /** Every lead of the collection (known from the rollups only). */
  total?: number;
}

export interface SkippedLead {
  id: string;
  reason: SkipReason;
  detail?: string;
}

export class Tally {
  readonly miners = new Map<string, MinerCounts>();
  readonly leads: LeadCounts = {
    read: 0,
    counted: 0,
    outside_window: 0,
    skipped: Object.fromEntries(SKIP_REASONS.map((reason) => [reason, 0])) as Record<
      SkipReason,
      number
    >,
  };
  readonly skippedLeads: SkippedLead[] = [];

  count(curatedBy: string, source: string): void {
    this.leads.counted += 1;
    this.miner(curatedBy).curated += 1;
    this.miner(source).sourced += 1;
  }

  /** Adds counts read whole (from the rollups). */
  add(miners: ReadonlyMap<string, MinerCounts>, counted: number): void {
    this.leads.counted += counted;
    for (const [hotkey, { curated, sourced }] of miners) {
      const miner = this.miner(hotkey);
      miner.curated += curated;
      miner.sourced += sourced;
    }
  }

  /** Counts a skipped lead, and lists it if the list has room (true then). */
  skip(id: string, reason: SkipReason, detail?: string): boolean {
    this.leads.skipped[reason] += 1;
    return this.list(id, reason, detail);
  }

  /** Lists a skipped lead (counted elsewhere); false once the list is full. */
  list(id: string, reason: SkipReason, detail?: string): boolean {
    if (this.skippedLeads.length >= SKIPPED_LEADS_LISTED) return false;
    this.skippedLeads.push(detail === undefined ? { id, reason } : { id, reason, detail });
    return true;
  }

  totalSkipped(): number {
    return Object.values(this.leads.skipped).reduce((a, b) => a + b, 0);
  }

  private miner(hotkey: string): MinerCounts {
    let miner = this.miners.get(hotkey);
    if (!miner) this.miners.set(hotkey, (miner = { curated: 0, sourced: 0 }));
    return miner;
  }
}
