// The pure core of the lead rollups: what a lead contributes, the order of its events, folding in
// and out of the day aggregates, how a window is read from them, and the choice of method.
import { Timestamp } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { canonicalHotkey } from '../../functions/src/leads/hotkey';
import {
  applyContribution,
  emptyDay,
  emptyTotals,
  HOUR_MICROS,
  type DayRollup,
} from '../../functions/src/rollups/buckets';
import {
  compareVersions,
  contributionOf,
  decodeContribution,
  encodeContribution,
  type Contribution,
} from '../../functions/src/rollups/contribution';
import type { RollupState } from '../../functions/src/rollups/store';
import { countWindow, edgesToRead, planWindow } from '../../functions/src/rollups/window-plan';
import { chooseMethod } from '../../functions/src/scoring/calculate-weights';
import { hotkey } from '../support/hotkeys';

const H = HOUR_MICROS;
const DAY = 24 * H;
const at = (iso: string) => Date.parse(iso) * 1000;

describe('contributionOf', () => {
  it.each([
    [
      'counted',
      { curated_by: hotkey(1), source: hotkey(2, 0), created_at: 1.5 },
      'counted 1500000',
    ],
    ['missing source', { curated_by: hotkey(1), created_at: 2 }, 'skipped 2000000 missing_source'],
    [
      'invalid curator',
      { curated_by: 'x', source: hotkey(2), created_at: 2 },
      'skipped 2000000 invalid_curated_by',
    ],
    [
      'a map created_at',
      { curated_by: hotkey(1), created_at: { a: 1 } },
      'bad_created_at unexpected_created_at_type map',
    ],
    [
      'a sentence',
      { created_at: 'last tuesday at noon' },
      'bad_created_at unparseable_created_at "last tuesday at noon"',
    ],
  ])('%s', (_, data, encoded) => {
    const contribution = contributionOf(data, canonicalHotkey);
    expect(encodeContribution(contribution).startsWith(encoded)).toBe(true);
    // Stored as one line of text and read back to the same value.
    expect(decodeContribution(encodeContribution(contribution))).toEqual(contribution);
  });

  it('names the canonical hotkeys, whatever prefix the lead wrote', () => {
    expect(
      contributionOf(
        { curated_by: hotkey(1, 0), source: ` ${hotkey(2)} `, created_at: 1 },
        canonicalHotkey,
      ),
    ).toEqual({
      kind: 'counted',
      micros: 1e6,
      curated_by: hotkey(1),
      source: hotkey(2),
    });
  });
});

describe('event order', () => {
  const v = (seconds: number, deleted = false) => ({ time: new Timestamp(seconds, 0), deleted });
  it('puts a delete just after the version it removed and before any later write', () => {
    const order = [v(1), v(1, true), v(2), v(2, true), v(3)];
    for (let i = 0; i < order.length; i++) {
      for (let j = 0; j < order.length; j++) {
        expect(Math.sign(compareVersions(order[i], order[j]))).toBe(Math.sign(i - j));
      }
    }
  });
});

describe('folding', () => {
  function target() {
    const days = new Map<number, DayRollup>();
    return {
      days,
      totals: emptyTotals(),
      day(day: number) {
        if (!days.has(day)) days.set(day, emptyDay(day));
        return days.get(day) as DayRollup;
      },
    };
  }
  const counted = (micros: number, a = 1, b = 2) => ({
    kind: 'counted' as const,
    micros,
    curated_by: hotkey(a),
    source: hotkey(b),
  });

  it('adds a lead to its hour, and taking it away leaves nothing behind', () => {
    const t = target();
    const c = counted(at('2026-11-22T05:30:00Z'));
    applyContribution(t, 'a', c, 1);
    const day = t.days.get(Math.floor(c.micros / DAY)) as DayRollup;
    expect(day.miners[hotkey(1)].curated[5]).toBe(1);
    expect(day.miners[hotkey(2)].sourced[5]).toBe(1);
    expect(day.first[5]).toBe(c.micros);
    applyContribution(t, 'a', c, -1);
    expect(day.miners).toEqual({});
    expect(t.totals.leads).toBe(0);
  });

  it('lists skipped leads once, and forgets them when they change', () => {
    const t = target();
    const bad: Contribution = {
      kind: 'bad_created_at',
      reason: 'unparseable_created_at',
      detail: '"x"',
    };
    const skipped: Contribution = { kind: 'skipped', micros: 7 * H, reason: 'missing_source' };
    applyContribution(t, 'bad', bad, 1);
    applyContribution(t, 'skip', skipped, 1);
    expect(t.totals).toMatchObject({ leads: 2, bad_created_at: { unparseable_created_at: 1 } });
    expect(t.totals.samples).toEqual([
      { id: 'bad', reason: 'unparseable_created_at', detail: '"x"' },
    ]);
    expect(t.days.get(0)?.skipped.missing_source?.[7]).toBe(1);
    applyContribution(t, 'skip', skipped, -1);
    applyContribution(t, 'bad', bad, -1);
    expect(t.days.get(0)).toMatchObject({ skipped: {}, samples: [] });
    expect(t.totals.samples).toEqual([]);
  });

  it('counts an instant no date can hold among the leads only', () => {
    const t = target();
    applyContribution(t, 'far', counted(1e33), 1);
    expect(t.totals.leads).toBe(1);
    expect(t.days.size).toBe(0);
  });
});

describe('planWindow', () => {
  const M = 60e6; // a minute, in microseconds
  it.each([
    // The start's edge is taken away from its hour (early in it) or added after it (late in it);
    // the end's hour is read whole, less what is after the end.
    ['start early in its hour', 10, 721, { from: 0, to: 10 * M - 1, sign: -1 }],
    ['start late in its hour', 50, 720, { from: 50 * M, to: 60 * M - 1, sign: 1 }],
    ['start on the hour', 0, 721, null],
  ] as const)('%s', (_, minute, hours, startEdge) => {
    const hour = at('2026-10-23T12:00:00Z');
    const endHour = at('2026-11-22T12:00:00Z');
    const plan = planWindow({ startMicros: hour + minute * M, endMicros: endHour + minute * M });
    expect(plan.toHour - plan.fromHour + 1).toBe(hours);
    expect(plan.days).toHaveLength(31);
    const edge = (base: number, e: { from: number; to: number; sign: number }) => ({
      hour: base / H,
      from: base + e.from,
      to: base + e.to,
      sign: e.sign,
    });
    expect(plan.edges).toEqual([
      ...(startEdge ? [edge(hour, startEdge)] : []),
      edge(endHour, { from: minute * M + 1, to: H - 1, sign: -1 }),
    ]);
  });

  it('reads a window shorter than an hour lead by lead', () => {
    const plan = planWindow({
      startMicros: at('2026-11-22T12:10:00Z'),
      endMicros: at('2026-11-22T12:40:00Z'),
    });
    expect(plan.fromHour).toBeGreaterThan(plan.toHour);
    expect(plan.edges).toEqual([
      {
        hour: Math.floor(at('2026-11-22T12:00:00Z') / H),
        from: at('2026-11-22T12:10:00Z'),
        to: at('2026-11-22T12:40:00Z'),
        sign: 1,
      },
    ]);
  });

  it('reads no edge that no lead can be on, and adds and takes away those it reads', () => {
    const window = {
      startMicros: at('2026-10-23T12:10:00Z'),
      endMicros: at('2026-11-22T12:10:00Z'),
    };
    const plan = planWindow(window);
    const days = new Map<number, DayRollup>();
    const t = {
      totals: emptyTotals(),
      day(day: number) {
        if (!days.has(day)) days.set(day, emptyDay(day));
        return days.get(day) as DayRollup;
      },
    };
    const lead = (iso: string, miner: number): Contribution => ({
      kind: 'counted',
      micros: at(iso),
      curated_by: hotkey(miner),
      source: hotkey(miner),
    });
    const before = lead('2026-10-23T12:05:00Z', 1); // in the start's hour, before the window
    const inside = [
      lead('2026-10-23T12:15:00Z', 2),
      lead('2026-11-01T00:00:00Z', 2),
      lead('2026-11-22T12:09:00Z', 3),
    ];
    for (const c of [before, ...inside]) applyContribution(t, 'x', c, 1);
    // The end's hour holds nothing after the end: only the start's edge is read.
    const edges = edgesToRead(plan, days);
    expect(edges.map((e) => e.sign)).toEqual([-1]);
    const counts = countWindow(plan, days, [{ id: 'b', contribution: before, sign: -1 }], window);
    expect(Object.fromEntries(counts.miners)).toEqual({
      [hotkey(2)]: { curated: 2, sourced: 2 },
      [hotkey(3)]: { curated: 1, sourced: 1 },
    });
    expect(counts.counted).toBe(3);
  });
});

describe('chooseMethod', () => {
  const window = { startMicros: at('2026-10-23T12:00:00Z'), endMicros: at('2026-11-22T12:00:00Z') };
  const state = (patch: Partial<RollupState>): RollupState => ({
    gen: 0,
    complete: false,
    observed_from: null,
    totals: emptyTotals(),
    rebuild: null,
    rebuilt_at: null,
    ...patch,
  });
  const ts = (iso: string) => Timestamp.fromMillis(Date.parse(iso));
  it.each([
    ['no rollups', undefined, 'full_scan', 'absent', undefined],
    [
      'a rebuild under way',
      state({ complete: true, rebuild: {} as RollupState['rebuild'] }),
      'full_scan',
      'rebuilding',
      undefined,
    ],
    ['complete rollups', state({ complete: true }), 'rollups', 'complete', window.startMicros],
    [
      'observed since 14 days',
      state({ observed_from: ts('2026-11-08T09:15:00Z') }),
      'mixed',
      'partial',
      at('2026-11-08T10:00:00Z'),
    ],
    [
      'observed since 40 days',
      state({ observed_from: ts('2026-10-13T09:15:00Z') }),
      'mixed',
      'partial',
      window.startMicros,
    ],
    [
      'observed after the window',
      state({ observed_from: ts('2026-11-22T12:30:00Z') }),
      'full_scan',
      'partial',
      undefined,
    ],
  ] as const)('%s', (_, s, method, status, from) => {
    const choice = chooseMethod(s, window);
    expect(choice).toMatchObject({ method, status });
    expect(choice.rollupsWindow?.startMicros).toBe(from);
  });
});
