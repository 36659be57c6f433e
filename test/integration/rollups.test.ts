// Scoring from the lead rollups against the Firestore emulator: the same result as the full scan
// on the same data, whatever the created_at type, the window's edges, redelivered, late, updated
// or deleted leads; bounded reads; the fallback before a rebuild; rebuild and check.
import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG, type ScoringConfig } from '../../functions/src/config/scoring';
import { canonicalHotkey } from '../../functions/src/leads/hotkey';
import { emptyTotals } from '../../functions/src/rollups/buckets';
import { foldPending } from '../../functions/src/rollups/fold';
import { rebuildRollups } from '../../functions/src/rollups/rebuild';
import {
  calculateWeights,
  type ScoringResult,
} from '../../functions/src/scoring/calculate-weights';
import { checkRollups } from '../../functions/src/scoring/check';
import { windowEndingAt } from '../../functions/src/leads/window';
import { testFirestore } from '../support/firestore';
import { hotkey } from '../support/hotkeys';
import { recordingLogger } from '../support/logger';
import { CREATED_AT_TYPES, MALFORMED_SKIPPED, malformedLeads } from '../support/leads';
import { leadWriter } from '../support/rollups';

const store = testFirestore('rollups');
const { db } = store;
const writer = leadWriter(db);
const DAY = 86_400e3;
const HOUR = 3600e3;

afterAll(() => store.close());
beforeEach(async () => {
  await store.clear();
  // Deployed before any lead: an empty collection rebuilt is complete rollups.
  await rebuildRollups(writer.store, canonicalHotkey);
});

async function score(now: Date, config: Partial<ScoringConfig> = {}, fullScan = false) {
  const log = recordingLogger();
  const result = await calculateWeights({
    db,
    projectId: store.projectId,
    config: { ...DEFAULT_SCORING_CONFIG, ...config },
    log,
    now,
    method: fullScan ? 'full_scan' : 'auto',
  });
  return { result, log };
}

/** What must not depend on the method: shares, per-miner counts, counted and skipped leads. */
function essentials(result: ScoringResult) {
  return {
    weights_dict: result.weights_dict,
    miners: result.miners,
    counted: result.leads.counted,
    skipped: result.leads.skipped,
  };
}

async function expectSameAsFullScan(now: Date, config: Partial<ScoringConfig> = {}) {
  const viaRollups = await score(now, config);
  const viaScan = await score(now, config, true);
  expect(viaScan.result.method).toBe('full_scan');
  expect(essentials(viaRollups.result)).toEqual(essentials(viaScan.result));
  return { viaRollups: viaRollups.result, viaScan: viaScan.result, log: viaRollups.log };
}

function lead(miner: number, created_at: unknown, extra: Record<string, unknown> = {}) {
  return { curated_by: hotkey(miner), source: hotkey(miner + 1), created_at, ...extra };
}

describe('scoring from the rollups', () => {
  // The window's start falls early in its hour (the part before it is taken away), late in it
  // (the part after it is added), on the hour, and the window is shorter than an hour.
  const ENDS = [
    ['start early in its hour', '2026-11-22T12:10:00.000Z', 30],
    ['start late in its hour', '2026-11-22T12:50:00.250Z', 30],
    ['start on the hour', '2026-11-22T12:00:00.000Z', 30],
    ['a window of 30 minutes', '2026-11-22T12:40:00.000Z', 30 / 1440],
  ] as const;

  it.each(ENDS)(
    'counts every created_at type at both edges as the full scan does (%s)',
    async (_, end, days) => {
      const now = new Date(end);
      const startMs = now.getTime() - days * DAY;
      const docs: Record<string, Record<string, unknown>> = {};
      // Also a Timestamp with microseconds, a microsecond past each instant.
      const micro = (ms: number) => new Timestamp(Math.floor(ms / 1000), (ms % 1000) * 1e6 + 1000);
      const types = [...CREATED_AT_TYPES, { type: 'Timestamp (µs)', at: micro, unit: 1 }];
      types.forEach(({ type, at, unit }, i) => {
        const m = 10 * i + 1;
        docs[`${type} at start`] = lead(m, at(startMs));
        docs[`${type} before start`] = lead(m + 1, at(startMs - unit));
        docs[`${type} at end`] = lead(m + 2, at(now.getTime()));
        docs[`${type} after end`] = lead(m + 3, at(now.getTime() + unit));
        docs[`${type} inside`] = lead(m + 4, at(startMs + (days * DAY) / 2));
        docs[`${type} far before`] = lead(m + 5, at(startMs - 3 * DAY));
        // Same hour as the start, on each side of it.
        docs[`${type} start hour`] = lead(m + 6, at(startMs - 60e3 * (days < 1 ? 5 : 9)));
        docs[`${type} start hour after`] = lead(m + 7, at(startMs + 60e3));
      });
      await writer.put(docs);
      const { viaRollups, viaScan } = await expectSameAsFullScan(now, { windowDays: days });
      expect(viaRollups.method).toBe('rollups');
      expect(viaScan.leads.counted).toBeGreaterThan(types.length * 3 - 1);
      // Every lead of the collection is accounted for, once.
      const { counted, outside_window, skipped, total } = viaRollups.leads;
      const skippedAll = Object.values(skipped).reduce((a, b) => a + b, 0);
      expect(total).toBe(Object.keys(docs).length);
      expect(counted + outside_window + skippedAll).toBe(total);
    },
  );

  it('skips what the full scan skips, by reason, and lists them', async () => {
    const now = new Date('2026-11-22T12:00:00Z');
    const t = Timestamp.fromMillis(now.getTime() - DAY);
    await writer.put({
      ...malformedLeads(t, lead),
      oldNoSource: {
        curated_by: hotkey(2),
        created_at: Timestamp.fromMillis(now.getTime() - 40 * DAY),
      },
      otherPrefix: lead(1, t, { curated_by: hotkey(1, 0) }),
    });
    const { viaRollups, log } = await expectSameAsFullScan(now);
    expect(viaRollups.leads.skipped).toMatchObject(MALFORMED_SKIPPED);
    expect(viaRollups.skipped_leads).toHaveLength(14);
    expect(log.messages('WARN')).toContain('Skipping lead noCurator: missing curated_by');
    expect(log.messages('WARN')).toContain('Unexpected created_at type: geopoint');
    expect(viaRollups.miners[hotkey(1)]).toEqual({ curated: 2, sourced: 0 });
  });

  it('counts a redelivered or late event once, and follows updates and deletes', async () => {
    const now = new Date('2026-11-22T12:00:00Z');
    const t = (daysAgo: number) => Timestamp.fromMillis(now.getTime() - daysAgo * DAY);
    const first = await writer.put({ a: lead(1, t(1)), b: lead(1, t(2)), c: lead(1, t(3)) });
    // Redelivery: the same events again, twice, one batch and one by one.
    expect((await writer.observe(first)).applied).toBe(0);
    for (const write of first) expect((await writer.observe([write])).applied).toBe(0);
    // a: curated_by changes; b: created_at leaves the window; c: only the buyer changes.
    const second = await writer.put({
      a: lead(5, t(1)),
      b: lead(1, t(45)),
      c: lead(1, t(3), { buyer: 'x@example.com' }),
      d: lead(7, t(4)),
    });
    const removed = await writer.remove(['d']);
    // Late events: the first versions arrive after the second ones, and the delete twice.
    expect((await writer.observe([...first, ...second.slice(3), ...removed])).applied).toBe(0);
    const { viaRollups } = await expectSameAsFullScan(now);
    expect(viaRollups.miners).toEqual({
      [hotkey(1)]: { curated: 1, sourced: 0 },
      [hotkey(2)]: { curated: 0, sourced: 1 },
      [hotkey(5)]: { curated: 1, sourced: 0 },
      [hotkey(6)]: { curated: 0, sourced: 1 },
    });
    expect(viaRollups.leads.total).toBe(3);
    // A re-created lead counts again.
    await writer.put({ d: lead(7, t(4)) });
    const again = await expectSameAsFullScan(now);
    expect(again.viaRollups.miners[hotkey(7)]).toEqual({ curated: 1, sourced: 0 });
  });

  it('reads the same few documents for 50 or 500 leads', async () => {
    const now = new Date('2026-11-22T12:20:00Z');
    const reads: number[] = [];
    for (const n of [50, 500]) {
      await store.clear();
      await rebuildRollups(writer.store, canonicalHotkey);
      const docs: Record<string, Record<string, unknown>> = {};
      for (let i = 0; i < n; i++) {
        docs[`l${i}`] = lead(
          i % 20,
          Timestamp.fromMillis(now.getTime() - ((i * 7919) % (32 * 24)) * HOUR - 1),
        );
      }
      await writer.put(docs);
      const folding = await score(now);
      expect(folding.result.rollups.folded).toBe(n);
      const { viaRollups } = await expectSameAsFullScan(now);
      expect(viaRollups.rollups.folded).toBe(0);
      // The state, 31 days, and the list of the start's hour; no lead, no marker.
      expect(viaRollups.reads).toEqual({ documents: 33, aggregates: 33, leads: 0 });
      reads.push(viaRollups.reads.documents);
    }
    expect(reads[1]).toBe(reads[0]);
  });

  it('reads the edge of an hour too busy for its list by a query', async () => {
    const now = new Date('2026-11-22T12:10:00Z');
    const start = now.getTime() - 30 * DAY;
    const docs: Record<string, Record<string, unknown>> = {};
    for (let i = 0; i < 20; i++)
      docs[`e${i}`] = lead(i % 4, Timestamp.fromMillis(start - 9e5 + i * 9e4));
    await writer.put(docs);
    await score(now);
    // As a fold marks an hour with more than HOUR_LIST_MAX leads: its list is no longer read.
    const hour = Math.floor(start / HOUR);
    const day = writer.store.day(1, Math.floor(hour / 24));
    const overflow = (await day.get()).get('overflow');
    overflow[hour % 24] = true;
    await day.update({ overflow });
    await writer.store.hour(1, hour).delete();
    const { viaRollups } = await expectSameAsFullScan(now);
    expect(viaRollups.reads.leads).toBeGreaterThan(0);
  });

  it('reads the leads before the trigger ran, and says so, until a rebuild', async () => {
    await store.clear();
    const now = new Date('2026-11-22T12:00:00Z');
    const t = (daysAgo: number) => Timestamp.fromMillis(now.getTime() - daysAgo * DAY);
    // Written before the functions were deployed: no rollups saw them.
    await writer.put(
      { old1: lead(1, t(20)), old2: lead(2, t(10)), oldBad: lead(3, 'yesterday') },
      false,
    );
    // The trigger's first write; every write since is in the rollups.
    const observedAt = Date.now();
    await writer.put({ new1: lead(1, Timestamp.fromMillis(observedAt)), new2: lead(4, t(0.01)) });
    const mixedNow = new Date(observedAt + 2 * HOUR);
    const { viaRollups, log } = await expectSameAsFullScan(mixedNow);
    expect(viaRollups.method).toBe('mixed');
    expect(viaRollups.rollups.status).toBe('partial');
    expect(log.messages('WARN').join('\n')).toMatch(/Lead rollups hold leads created from .* on/);
    await rebuildRollups(writer.store, canonicalHotkey);
    const rebuilt = await expectSameAsFullScan(mixedNow);
    expect(rebuilt.viaRollups.method).toBe('rollups');
    expect(rebuilt.viaRollups.leads.total).toBe(5);
  });

  it('rebuilds resumably, and counts as the full scan does', async () => {
    await store.clear();
    const now = new Date('2026-11-22T12:00:00Z');
    const docs: Record<string, Record<string, unknown>> = {};
    for (let i = 0; i < 1000; i++) {
      docs[`l${String(i).padStart(5, '0')}`] = lead(
        i % 7,
        Timestamp.fromMillis(now.getTime() - (i % 40) * DAY - i),
      );
    }
    await writer.put(docs, false);
    const partial = await rebuildRollups(writer.store, canonicalHotkey, { stopAfter: 400 });
    expect(partial.finished).toBe(false);
    const during = await score(now);
    expect(during.result.method).toBe('full_scan');
    expect(during.result.rollups.status).toBe('rebuilding');
    // As if it had crashed after saving its days but before saving its cursor: the days say which
    // leads they hold, so going over those leads again counts none of them twice.
    await writer.store.state.update({
      'rebuild.after': null,
      'rebuild.scanned': 0,
      'rebuild.totals': emptyTotals(),
    });
    // A lead written while the rebuild is paused, at an id it has passed and one it has not.
    await writer.put({
      l00000: lead(9, Timestamp.fromMillis(now.getTime() - DAY)),
      zzz: lead(9, Timestamp.fromMillis(now.getTime() - DAY)),
    });
    const finished = await rebuildRollups(writer.store, canonicalHotkey);
    expect(finished).toMatchObject({ resumed: true, finished: true });
    expect(finished.scanned).toBe(1001);
    const { viaRollups } = await expectSameAsFullScan(now);
    expect(viaRollups.method).toBe('rollups');
    expect(viaRollups.leads.total).toBe(1001);
  });

  it('two folds at once, racing new writes, fold each change once', async () => {
    const now = new Date('2026-11-22T12:00:00Z');
    const docs: Record<string, Record<string, unknown>> = {};
    for (let i = 0; i < 200; i++) {
      docs[`r${i}`] = lead(i % 5, Timestamp.fromMillis(now.getTime() - (i % 3) * DAY - i * 1000));
    }
    await writer.put(docs);
    const changes: Record<string, Record<string, unknown>> = {};
    for (let i = 0; i < 200; i += 7)
      changes[`r${i}`] = lead(8, Timestamp.fromMillis(now.getTime() - DAY));
    await Promise.all([
      foldPending(writer.store),
      foldPending(writer.store),
      writer.put(changes),
      writer.remove(['r1', 'r2', 'r3']),
    ]);
    await foldPending(writer.store);
    const { viaRollups } = await expectSameAsFullScan(now);
    expect(viaRollups.leads.total).toBe(197);
  });

  it('check names the miner whose aggregate was corrupted', async () => {
    const now = new Date('2026-11-22T12:00:00Z');
    await writer.put({
      a: lead(1, Timestamp.fromMillis(now.getTime() - DAY)),
      b: lead(3, Timestamp.fromMillis(now.getTime() - 2 * DAY)),
    });
    await score(now);
    const window = windowEndingAt(now, 30);
    expect(
      (await checkRollups(db, 'curated_leads', window, recordingLogger())).differences,
    ).toEqual([]);
    // Generation 1 (the rebuild before each test), the day before `now`, hour 12.
    const day = writer.store.day(1, Math.floor((now.getTime() - DAY) / DAY));
    const miners = (await day.get()).get('miners');
    miners[hotkey(1)].curated[12] += 2;
    await day.update({ miners });
    const { differences } = await checkRollups(db, 'curated_leads', window, recordingLogger());
    expect(differences).toEqual([
      {
        what: `miner ${hotkey(1)}`,
        rollups: { curated: 3, sourced: 0 },
        full_scan: { curated: 1, sourced: 0 },
      },
      { what: 'counted', rollups: 4, full_scan: 2 },
    ]);
  });
});
