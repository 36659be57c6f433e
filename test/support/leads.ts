// Curated leads of every shape producers write, for the scoring tests: each created_at type
// (with the smallest step it can express), and each way a lead can be unusable.
import { GeoPoint, Timestamp } from 'firebase-admin/firestore';
import { hotkey } from './hotkeys';

const isoZ = (ms: number) => new Date(ms).toISOString();

/** Each representation of created_at: `at` writes an instant (ms), `unit` is its resolution. */
export const CREATED_AT_TYPES: Array<{ type: string; at: (ms: number) => unknown; unit: number }> =
  [
    { type: 'Timestamp', at: (ms) => Timestamp.fromMillis(ms), unit: 1 },
    { type: 'epoch seconds (float)', at: (ms) => ms / 1000, unit: 1 },
    { type: 'epoch seconds (int)', at: (ms) => Math.floor(ms / 1000), unit: 1000 },
    { type: 'epoch milliseconds', at: (ms) => ms, unit: 1 },
    { type: 'ISO Z', at: isoZ, unit: 1 },
    { type: 'ISO +00:00', at: (ms) => isoZ(ms).replace('Z', '+00:00'), unit: 1 },
    { type: 'ISO without zone', at: (ms) => isoZ(ms).replace('Z', ''), unit: 1 },
    {
      type: 'ISO +05:30',
      at: (ms) => new Date(ms + 5.5 * 3600e3).toISOString().replace('Z', '+05:30'),
      unit: 1,
    },
  ];

/** The fourteen unusable leads of malformedLeads, counted by reason. */
export const MALFORMED_SKIPPED = {
  missing_curated_by: 2,
  missing_source: 1,
  invalid_curated_by: 1,
  invalid_source: 1,
  unexpected_created_at_type: 6,
  unparseable_created_at: 3,
};

/** One good lead and fourteen unusable ones at `t` (MALFORMED_SKIPPED). */
export function malformedLeads(
  t: Timestamp,
  lead: (
    miner: number,
    createdAt: unknown,
    extra?: Record<string, unknown>,
  ) => Record<string, unknown>,
): Record<string, Record<string, unknown>> {
  return {
    good: lead(1, t),
    noCurator: { source: hotkey(2), created_at: t },
    noSource: { curated_by: hotkey(2), created_at: t },
    emptyCurator: lead(2, t, { curated_by: '' }),
    badCurator: lead(2, t, { curated_by: 'not-a-hotkey' }),
    numberSource: lead(2, t, { source: 42 }),
    nullType: lead(3, null),
    boolType: lead(3, true),
    mapType: lead(3, { seconds: 1 }),
    arrayType: lead(3, [t]),
    geoType: lead(3, new GeoPoint(1, 1)),
    bytesType: lead(3, Buffer.from('2026')),
    nanValue: lead(3, NaN),
    junkString: lead(3, 'last tuesday'),
    numericString: lead(3, '1763812800'),
  };
}
