import { GeoPoint, Timestamp } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { parseCreatedAt, parseIsoMicros } from '../../functions/src/leads/created-at';

const micros = (iso: string) => Date.parse(iso) * 1000;

describe('parseCreatedAt', () => {
  it.each([
    ['Timestamp', new Timestamp(1_763_812_800, 123_456_789), 1_763_812_800_123_456],
    ['epoch seconds (int)', 1_763_812_800, 1_763_812_800_000_000],
    ['epoch seconds (float)', 1_763_812_800.25, 1_763_812_800_250_000],
    ['epoch milliseconds', 1_763_812_800_123, 1_763_812_800_123_000],
    ['threshold itself is seconds', 1e12, 1e18],
    ['ISO with Z', '2025-11-22T12:00:00Z', micros('2025-11-22T12:00:00Z')],
    ['ISO with +00:00', '2025-11-22T12:00:00+00:00', micros('2025-11-22T12:00:00Z')],
    ['ISO without zone is UTC', '2025-11-22T12:00:00', micros('2025-11-22T12:00:00Z')],
    [
      'ISO with microseconds',
      '2025-11-22T12:00:00.123456',
      micros('2025-11-22T12:00:00Z') + 123_456,
    ],
    ['ISO with other offset', '2025-11-22T17:30:00+05:30', micros('2025-11-22T12:00:00Z')],
    ['ISO with negative offset', '2025-11-22T07:00:00-0500', micros('2025-11-22T12:00:00Z')],
    ['Python str(datetime)', '2025-11-22 12:00:00.5', micros('2025-11-22T12:00:00.500Z')],
    ['date only', '2025-11-22', micros('2025-11-22T00:00:00Z')],
  ])('reads %s', (_name, value, expected) => {
    expect(parseCreatedAt(value)).toEqual({ ok: true, micros: expected });
  });

  it.each([
    ['null', null],
    ['boolean', true],
    ['map', { seconds: 1 }],
    ['array', [1]],
    ['bytes', Buffer.from('x')],
    ['geopoint', new GeoPoint(1, 2)],
    ['undefined', undefined],
  ])('reports type %s as unexpected', (type, value) => {
    expect(parseCreatedAt(value)).toEqual({
      ok: false,
      reason: 'unexpected_created_at_type',
      type,
    });
  });

  it.each([
    NaN,
    Infinity,
    'yesterday',
    '2025-02-30T00:00:00Z',
    '2025-11-22T24:00:00Z',
    '1700000000',
    '',
  ])('reports %s as unparseable', (value) => {
    expect(parseCreatedAt(value)).toMatchObject({ ok: false, reason: 'unparseable_created_at' });
  });
});

describe('parseIsoMicros', () => {
  it('agrees with Date.parse on zoned instants', () => {
    for (const iso of [
      '2024-02-29T23:59:59.999Z',
      '1999-12-31T00:00:00+01:00',
      '2030-01-01T00:00:00-08:00',
    ]) {
      expect(parseIsoMicros(iso)).toBe(Date.parse(iso) * 1000);
    }
  });
});
