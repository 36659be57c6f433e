import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG, type ScoringConfig } from '../../functions/src/config/scoring';
import { calculateWeights } from '../../functions/src/scoring/calculate-weights';
import { testFirestore } from '../support/firestore';
import { hotkey } from '../support/hotkeys';
import { CREATED_AT_TYPES, MALFORMED_SKIPPED, malformedLeads } from '../support/leads';
import { recordingLogger } from '../support/logger';

const store = testFirestore('scoring');
const { db } = store;
const leads = db.collection('curated_leads');
const NOW = new Date('2026-11-22T12:00:00Z');
const START_MS = Date.parse('2026-10-23T12:00:00Z'); // 30 days before NOW

afterAll(() => store.close());
beforeEach(() => store.clear());

async function score(config: Partial<ScoringConfig> = {}) {
  const log = recordingLogger();
  const result = await calculateWeights({
    db,
    projectId: store.projectId,
    config: { ...DEFAULT_SCORING_CONFIG, ...config },
    log,
    now: NOW,
  });
  return { result, log };
}

/** A lead curated and sourced by the same miner, so each counted lead shows as one key. */
function lead(miner: number, created_at: unknown, extra: Record<string, unknown> = {}) {
  return {
    curated_by: hotkey(miner),
    source: hotkey(miner),
    created_at,
    buyer: 'b@example.com',
    ...extra,
  };
}

async function write(docs: Record<string, Record<string, unknown>>) {
  const batch = db.batch();
  for (const [id, data] of Object.entries(docs)) batch.set(leads.doc(id), data);
  await batch.commit();
}

// Each representation of created_at, one unit inside and one unit outside each edge.
const EDGE_CASES = CREATED_AT_TYPES;
const isoZ = (ms: number) => new Date(ms).toISOString();

describe('calculateWeights', () => {
  it.each(EDGE_CASES)(
    'counts a $type lead exactly when it is inside the window',
    async ({ at, unit }) => {
      const end = NOW.getTime();
      await write({
        atStart: lead(1, at(START_MS)),
        beforeStart: lead(2, at(START_MS - unit)),
        atEnd: lead(3, at(end)),
        afterEnd: lead(4, at(end + unit)),
        middle: lead(5, at(START_MS + 10 * 86_400e3)),
      });
      const { result } = await score();
      expect(Object.keys(result.weights_dict).sort()).toEqual(
        [hotkey(1), hotkey(3), hotkey(5)].sort(),
      );
      expect(result.leads.counted).toBe(3);
      expect(result.stats.total_share).toBeCloseTo(1, 12);
    },
  );

  it('counts every type together, whatever the majority type is', async () => {
    const inside = START_MS + 86_400e3;
    await write({
      ts: lead(1, Timestamp.fromMillis(inside)),
      ts2: lead(1, Timestamp.fromMillis(inside + 1)),
      sec: lead(2, inside / 1000),
      ms: lead(3, inside),
      iso: lead(4, isoZ(inside)),
      old: lead(5, Timestamp.fromMillis(START_MS - 86_400e3)),
      oldIso: lead(6, '2020-01-01T00:00:00Z'),
      future: lead(7, isoZ(NOW.getTime() + 86_400e3)),
    });
    const { result } = await score();
    expect(result.miners).toEqual({
      [hotkey(1)]: { curated: 2, sourced: 2 },
      [hotkey(2)]: { curated: 1, sourced: 1 },
      [hotkey(3)]: { curated: 1, sourced: 1 },
      [hotkey(4)]: { curated: 1, sourced: 1 },
    });
    expect(result.weights_dict[hotkey(1)]).toBeCloseTo(0.4, 12);
    // Old timestamps and old ISO strings are not even read; the future string is read and dropped.
    expect(result.leads).toMatchObject({ counted: 5, read: 6, outside_window: 1 });
  });

  it('applies the formula across miners who curate and source different leads', async () => {
    const t = Timestamp.fromMillis(START_MS + 86_400e3);
    const [a, b, c] = [hotkey(1), hotkey(2), hotkey(3)];
    await write({
      l1: { curated_by: a, source: b, created_at: t },
      l2: { curated_by: a, source: b, created_at: t },
      l3: { curated_by: a, source: c, created_at: t },
      l4: { curated_by: b, source: c, created_at: t },
    });
    const { result } = await score();
    // curated a3 b1 (of 4); sourced b2 c2 (of 4)
    expect(result.weights_dict[a]).toBeCloseTo(0.6 * 0.75, 12);
    expect(result.weights_dict[b]).toBeCloseTo(0.6 * 0.25 + 0.4 * 0.5, 12);
    expect(result.weights_dict[c]).toBeCloseTo(0.4 * 0.5, 12);
    expect(Object.keys(result.weights_dict)).toEqual([a, b, c]);
    expect(result.miners[c]).toEqual({ curated: 0, sourced: 2 });
  });

  it('skips, warns about and counts malformed leads without failing', async () => {
    const t = Timestamp.fromMillis(START_MS + 86_400e3);
    await write(malformedLeads(t, lead));
    const { result, log } = await score();
    expect(result.weights_dict).toEqual({ [hotkey(1)]: 1 });
    expect(result.leads.skipped).toEqual({
      ...MALFORMED_SKIPPED,
      created_at_out_of_range: 0,
      created_at_in_future: 0,
    });
    expect(result.skipped_leads).toHaveLength(14);
    expect(result.skipped_leads).toContainEqual({
      id: 'geoType',
      reason: 'unexpected_created_at_type',
      detail: 'geopoint',
    });
    const warnings = log.messages('WARN');
    for (const type of ['null', 'boolean', 'map', 'array', 'geopoint', 'bytes']) {
      expect(warnings).toContain(`Unexpected created_at type: ${type}`);
    }
    expect(warnings).toContain('Skipping lead noCurator: missing curated_by');
    expect(warnings).toContain('Skipping lead badCurator: curated_by is not an SS58 address');
    expect(warnings.at(-1)).toMatch(/^Skipped 14 leads: /);
  });

  it('treats the same key under another SS58 prefix as the same miner', async () => {
    const t = Timestamp.fromMillis(START_MS + 86_400e3);
    await write({
      a: lead(1, t),
      b: lead(1, t, { curated_by: hotkey(1, 0), source: hotkey(1, 2) }),
    });
    const { result } = await score();
    expect(result.miners).toEqual({ [hotkey(1)]: { curated: 2, sourced: 2 } });
  });

  it('logs the score.py lines in order, with the top 5 miners', async () => {
    const t = Timestamp.fromMillis(START_MS + 86_400e3);
    const docs: Record<string, Record<string, unknown>> = {};
    // Miner n has n leads: 7 miners, 28 leads.
    for (let n = 1; n <= 7; n++) for (let i = 0; i < n; i++) docs[`m${n}-${i}`] = lead(n, t);
    await write(docs);
    const { result, log } = await score();
    const share = (n: number) => (n / 28).toFixed(4);
    expect(log.lines).toEqual([
      'INFO Starting miner share calculation',
      `INFO Configuration loaded for project: ${store.projectId}`,
      'INFO Will calculate shares for last 30 days',
      'INFO Weights: Curated=0.6, Sourced=0.4',
      'INFO Final shares calculated for 7 miners',
      'INFO Top 5 miners by share:',
      ...[7, 6, 5, 4, 3].map(
        (n) => `INFO   ${hotkey(n)}: ${share(n)} (curated: ${n}, sourced: ${n})`,
      ),
    ]);
    expect(result.stats).toMatchObject({ total_miners: 7, zero_share_miners: 0 });
    expect(result.stats.max_share).toBeCloseTo(7 / 28, 12);
  });

  it('returns an empty result when there are no leads at all', async () => {
    const { result, log } = await score();
    expect(result.weights_dict).toEqual({});
    expect(result.stats.total_miners).toBe(0);
    expect(result.leads).toMatchObject({ read: 0, counted: 0 });
    expect(log.messages()).toContain('Final shares calculated for 0 miners');
  });

  it('honours the configured window, weights and collection', async () => {
    const other = db.collection('leads_v2');
    await other.doc('recent').set(lead(1, Timestamp.fromMillis(NOW.getTime() - 3 * 86_400e3)));
    await other.doc('older').set(lead(2, Timestamp.fromMillis(NOW.getTime() - 10 * 86_400e3)));
    const { result, log } = await score({
      curatedLeadsCollection: 'leads_v2',
      windowDays: 7,
      curatedWeight: 0.5,
      sourcedWeight: 0.5,
    });
    expect(result.weights_dict).toEqual({ [hotkey(1)]: 1 });
    expect(result.window).toEqual({
      start: '2026-11-15T12:00:00.000Z',
      end: '2026-11-22T12:00:00.000Z',
      days: 7,
    });
    expect(log.messages()).toContain('Will calculate shares for last 7 days');
    expect(log.messages()).toContain('Weights: Curated=0.5, Sourced=0.5');
  });
});
