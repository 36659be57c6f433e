// The created_at classifier is total: every value a miner can write gets an instant or a named
// reason, so a lead is never dropped without a trace (issue 12, finding 3; offsets: finding 4).
import { GeoPoint, Timestamp } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import {
  classifyCreatedAt,
  CREATED_AT_SKIP_REASONS,
  parseIsoMicros,
} from '../../functions/src/leads/created-at';

const NOW = Date.parse('2026-11-20T00:00:00Z') * 1000;
const DAY = 86_400e6;
const at = (iso: string) => Date.parse(iso) * 1000;

const cases: Array<[string, unknown, string | number]> = [
  // Instants a lead can have.
  ['epoch seconds', 1_763_596_800, 1_763_596_800e6],
  ['epoch milliseconds', 1_763_596_800_123, 1_763_596_800_123e3],
  ['ISO, no zone', '2026-11-19T23:00:00', at('2026-11-19T23:00:00Z')],
  ['ISO, -14:00 (the westernmost zone)', '2026-11-19T00:00:00-14:00', at('2026-11-19T14:00:00Z')],
  ['ISO, +14:00 (the easternmost zone)', '2026-11-19T14:00:00+14:00', at('2026-11-19T00:00:00Z')],
  [
    'a Timestamp an hour ahead (clock skew)',
    Timestamp.fromMillis(NOW / 1000 + 3600e3),
    NOW + 3600e6,
  ],
  ['the epoch itself', 0, 0],
  // Strings that are no instant.
  ['day first', '20/11/2026', 'unparseable_created_at'],
  ['month 13, day 45', '2025-13-45', 'unparseable_created_at'],
  ['February 30', '2025-02-30', 'unparseable_created_at'],
  ['offset +99:99', '2026-11-19T12:00:00+99:99', 'unparseable_created_at'],
  ['offset +14:01', '2026-11-19T12:00:00+14:01', 'unparseable_created_at'],
  ['offset minutes 60', '2026-11-19T12:00:00+05:60', 'unparseable_created_at'],
  ['offset -15', '2026-11-19T12:00:00-15', 'unparseable_created_at'],
  ['hour 24', '2026-11-19T24:00:00Z', 'unparseable_created_at'],
  ['leap second', '2026-12-31T23:59:60Z', 'unparseable_created_at'],
  ['full-width digits', '２０２６-11-19', 'unparseable_created_at'],
  ['empty', '', 'unparseable_created_at'],
  ['a megabyte of digits', '2'.repeat(1_000_000), 'unparseable_created_at'],
  ['a 100-digit fraction', `2026-11-19T12:00:00.${'1'.repeat(100)}Z`, 'unparseable_created_at'],
  ['NaN', NaN, 'unparseable_created_at'],
  // Instants no lead can have.
  ['Infinity', Infinity, 'created_at_out_of_range'],
  ['-Infinity', -Infinity, 'created_at_out_of_range'],
  ['negative seconds', -1, 'created_at_out_of_range'],
  ['negative milliseconds', -1_763_596_800_000, 'created_at_out_of_range'],
  ['1e30', 1e30, 'created_at_out_of_range'],
  ['epoch microseconds', 1_763_596_800_000_000, 'created_at_out_of_range'],
  ['epoch nanoseconds', 1_763_596_800_000_000_000, 'created_at_out_of_range'],
  ['Number.MAX_VALUE', Number.MAX_VALUE, 'created_at_out_of_range'],
  ['a Timestamp before 1970', new Timestamp(-1, 0), 'created_at_out_of_range'],
  [
    'the last Timestamp (year 9999)',
    new Timestamp(253_402_300_799, 999_999_999),
    'created_at_out_of_range',
  ],
  ['year 9999', '9999-12-31T23:59:59Z', 'created_at_out_of_range'],
  ['year 1', '0001-01-01', 'created_at_out_of_range'],
  ['1969', '1969-12-31T23:59:59Z', 'created_at_out_of_range'],
  // In the future beyond any zone mistake.
  [
    'a Timestamp two days ahead',
    Timestamp.fromMillis(NOW / 1000 + (2 * DAY) / 1000),
    'created_at_in_future',
  ],
  ['seconds a year ahead', NOW / 1e6 + 365 * 86_400, 'created_at_in_future'],
  ['ISO in 2100', '2100-01-01T00:00:00Z', 'created_at_in_future'],
  // Not a time at all.
  ['null', null, 'unexpected_created_at_type'],
  ['undefined', undefined, 'unexpected_created_at_type'],
  ['boolean', false, 'unexpected_created_at_type'],
  [
    'a Timestamp-shaped map',
    { seconds: 1_763_596_800, nanoseconds: 0 },
    'unexpected_created_at_type',
  ],
  ['array', [1_763_596_800], 'unexpected_created_at_type'],
  ['bytes', Buffer.from('2026-11-19'), 'unexpected_created_at_type'],
  ['geopoint', new GeoPoint(0, 0), 'unexpected_created_at_type'],
  ['bigint', 1_763_596_800n, 'unexpected_created_at_type'],
];

describe('classifyCreatedAt', () => {
  it.each(cases)('%s', (_name, value, expected) => {
    const started = performance.now();
    const result = classifyCreatedAt(value, NOW);
    // A ceiling for the algorithm (no backtracking parse of a long string), not for the machine.
    expect(performance.now() - started).toBeLessThan(500);
    if (typeof expected === 'number') expect(result).toEqual({ ok: true, micros: expected });
    else expect(result).toMatchObject({ ok: false, reason: expected });
  });

  it('names every skip with one of its reasons, and shows the value short', () => {
    for (const [, value] of cases) {
      const result = classifyCreatedAt(value, NOW);
      if (result.ok) continue;
      expect(CREATED_AT_SKIP_REASONS).toContain(result.reason);
      const detail = 'type' in result ? result.type : result.value;
      expect(detail.length).toBeLessThanOrEqual(80);
    }
  });

  it('judges the future only against a clock', () => {
    expect(classifyCreatedAt('2100-01-01T00:00:00Z')).toMatchObject({ ok: true });
    expect(classifyCreatedAt('2100-01-01T00:00:00Z', NOW)).toMatchObject({
      reason: 'created_at_in_future',
    });
  });
});

describe('parseIsoMicros offsets', () => {
  it('accepts the offsets zones have and refuses the others', () => {
    expect(parseIsoMicros('2026-11-19T12:00:00+05:45')).toBe(at('2026-11-19T06:15:00Z'));
    expect(parseIsoMicros('2026-11-19T12:00:00-0930')).toBe(at('2026-11-19T21:30:00Z'));
    for (const offset of ['+99:99', '-99:00', '+14:30', '+00:60', '+1500']) {
      expect(parseIsoMicros(`2026-11-19T12:00:00${offset}`)).toBeUndefined();
    }
  });
});
