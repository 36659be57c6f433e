// The dashboard's pure reading of weight_transactions documents.
import { describe, expect, it } from 'vitest';
import {
  isOpenCommit,
  lastScoring,
  nextAllowed,
  shareChart,
  successRate,
  toAttempt,
  type Attempt,
} from '../../web/src/model';

const T0 = Date.UTC(2026, 10, 1, 12);

/** A document as audit.ts stores it (only the fields a case needs), read back. */
function attempt(id: string, fields: Record<string, unknown>): Attempt {
  return toAttempt(id, {
    ts: { toMillis: () => T0 },
    status: 'included',
    success: true,
    ...fields,
  });
}

describe('toAttempt', () => {
  it('reads timestamps of any SDK and leaves out what an older document lacks', () => {
    const a = toAttempt('x', { ts: { toMillis: () => T0 }, status: 'failed' });
    expect(a).toMatchObject({
      ts: new Date(T0),
      status: 'failed',
      success: false,
      mode: 'set_weights',
      uids: [],
      weights: {},
      block_number: null,
      leads: undefined,
    });
  });

  it('ignores values of the wrong type instead of showing them', () => {
    const a = toAttempt('x', { ts: 'yesterday', uids: [1, 'two', 3], weights: { 1: 0.5, 2: 'x' } });
    expect(Number.isNaN(a.ts.getTime())).toBe(true);
    expect(a.uids).toEqual([1, 3]);
    expect(a.weights).toEqual({ 1: 0.5 });
  });
});

describe('successRate', () => {
  it.each([
    [{ total: 10, landed: 9, failed: 1 }, 0.9],
    // Skips and rate-limited runs sent nothing: they count neither way.
    [{ total: 10, landed: 2, failed: 0 }, 1],
    [{ total: 4, landed: 0, failed: 0 }, undefined],
  ])('%o → %s', (counts, rate) => expect(successRate(counts)).toBe(rate));
});

describe('nextAllowed', () => {
  it('takes the newest attempt that knows it, and dates the ETA from that attempt', () => {
    const recent = [
      attempt('skip', { status: 'skipped', success: false }),
      attempt('landed', { next_allowed_block: 120, eta_seconds: 36 }),
      attempt('older', { next_allowed_block: 100, eta_seconds: 12 }),
    ];
    expect(nextAllowed(recent)).toMatchObject({ block: 120, etaSeconds: 36, atMs: T0 + 36_000 });
    expect(nextAllowed([recent[0]])).toBeUndefined();
  });
});

describe('isOpenCommit', () => {
  it.each([
    [{ mode: 'commit' }, true],
    [{ mode: 'timelocked_commit' }, true],
    [{ mode: 'commit', reveal_status: 'waiting' }, true],
    [{ mode: 'commit', reveal_status: 'revealed' }, false],
    [{ mode: 'commit', reveal_status: 'expired' }, false],
    [{ mode: 'commit', status: 'skipped', success: false }, false],
    [{ mode: 'reveal' }, false],
    [{ mode: 'set_weights' }, false],
  ])('%o → %s', (fields, open) => expect(isOpenCommit(attempt('c', fields))).toBe(open));
});

describe('lastScoring', () => {
  it('reads the newest attempt that scored, skipped reasons largest first, zeros left out', () => {
    const scoring = lastScoring([
      attempt('busy', { status: 'skipped' }),
      attempt('scored', {
        leads: {
          read: 12,
          counted: 9,
          skipped: { missing_source: 1, invalid_source: 2, unparseable_created_at: 0 },
        },
      }),
    ]);
    expect(scoring).toMatchObject({
      read: 12,
      counted: 9,
      skippedTotal: 3,
      skipped: [
        ['invalid_source', 2],
        ['missing_source', 1],
      ],
    });
  });
});

describe('shareChart', () => {
  const publish = (minutes: number, weights: Record<string, number>, extra = {}) =>
    toAttempt(`p${minutes}`, {
      ts: new Date(T0 + minutes * 60_000),
      status: 'included',
      success: true,
      uids: Object.keys(weights).map(Number),
      weights,
      weights_u16: Object.values(weights).map((w) => Math.round(w * 100_000)),
      uid_hotkeys: Object.fromEntries(Object.keys(weights).map((uid) => [uid, `hotkey-${uid}`])),
      ...extra,
    });

  it('draws the top miners by peak share, sums the rest as others, and keeps each u16 with its uid', () => {
    const chart = shareChart(
      [
        publish(60, { 1: 0.5, 2: 0.3, 3: 0.2 }),
        publish(0, { 1: 0.1, 2: 0.1, 3: 0.1, 4: 0.7 }),
        publish(30, {}, { success: false, status: 'failed' }),
        toAttempt('reveal', {
          ts: new Date(T0),
          success: true,
          mode: 'reveal',
          uids: [1],
          weights_u16: [65535],
        }),
      ],
      2,
    );
    expect(chart.times).toEqual([T0 / 1000, T0 / 1000 + 3600]);
    expect(chart.series.map((s) => [s.key, s.shares])).toEqual([
      ['hotkey-4', [0.7, 0]],
      ['hotkey-1', [0.1, 0.5]],
      ['others', [0.2, 0.5]],
    ]);
    expect(chart.series[1].details).toEqual([
      { uid: 1, u16: 10_000 },
      { uid: 1, u16: 50_000 },
    ]);
    expect(chart.series[2].details).toEqual([{ miners: 2 }, { miners: 2 }]);
    expect(chart.series[0].label).toBe('uid 4 · hotkey-4');
  });

  it('has no others line when every miner is drawn', () => {
    const chart = shareChart([publish(0, { 1: 0.6, 2: 0.4 })], 6);
    expect(chart.series.map((s) => s.key)).toEqual(['hotkey-1', 'hotkey-2']);
  });
});
