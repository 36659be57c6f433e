// The dashboard's one time format (UTC), the chart's time ticks in parts of it, and brief.
import { describe, expect, it } from 'vitest';
import { brief, clock, dateTime, day, fromNow, timeTicks } from '../../web/src/format';

const T0 = Date.UTC(2026, 11, 1, 14, 0, 3);

describe('dateTime: one format, in UTC, whatever the viewer’s time zone', () => {
  it('writes YYYY-MM-DD HH:MM:SS UTC', () => {
    expect(dateTime(new Date(T0))).toBe('2026-12-01 14:00:03 UTC');
    expect(dateTime(new Date(Date.UTC(2027, 0, 9, 3, 4, 5)))).toBe('2027-01-09 03:04:05 UTC');
    expect(day(new Date(T0))).toBe('2026-12-01');
    expect(clock(new Date(T0))).toBe('14:00');
  });

  it('shows an invalid date as a dash, and says nothing of how long ago it was', () => {
    expect(dateTime(new Date(NaN))).toBe('—');
    expect(fromNow(new Date(NaN))).toBe('');
    expect(fromNow(new Date(T0 - 180_000), T0)).toBe('3 minutes ago');
  });

  it('pads years before 1000, as a Firestore timestamp may hold them', () => {
    const early = new Date(Date.UTC(2000, 0, 1));
    early.setUTCFullYear(33);
    expect(dateTime(early)).toBe('0033-01-01 00:00:00 UTC');
  });
});

describe('timeTicks: the chart axis in parts of the same format', () => {
  const HOUR_S = 3600;
  const t0 = Date.UTC(2026, 11, 1, 18) / 1000;

  it('labels hours, with the day under the first tick and where the day changes', () => {
    const splits = [0, 6, 12, 18].map((h) => t0 + h * HOUR_S);
    expect(timeTicks(splits, 6 * HOUR_S)).toEqual([
      '18:00\n2026-12-01',
      '00:00\n2026-12-02',
      '06:00',
      '12:00',
    ]);
  });

  it('labels days as days', () => {
    const midnight = Date.UTC(2026, 11, 1) / 1000;
    expect(timeTicks([midnight, midnight + 86_400], 86_400)).toEqual(['2026-12-01', '2026-12-02']);
  });
});

describe('brief: at most so many characters', () => {
  it('keeps a short text, cuts a long one with an ellipsis, and never splits a surrogate pair', () => {
    expect(brief('short', 10)).toBe('short');
    expect(brief('x'.repeat(10_000), 5)).toBe('xxxxx…');
    expect(brief('😀'.repeat(4), 2)).toBe('😀😀…');
    expect(brief('😀😀', 2)).toBe('😀😀');
  });
});
