// Every query the dashboard makes has the index it needs in firestore.indexes.json: the emulator
// serves any query, production refuses one without its composite index (failed-precondition).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as q from '../../web/src/queries';

interface IndexField {
  fieldPath: string;
  order?: 'ASCENDING' | 'DESCENDING';
}
interface Index {
  collectionGroup: string;
  queryScope: string;
  fields: IndexField[];
}

const config = JSON.parse(readFileSync(resolve(__dirname, '../../firestore.indexes.json'), 'utf8'));
const composites = (config.indexes as Index[]).filter(
  (i) => i.collectionGroup === q.COLLECTION && i.queryScope === 'COLLECTION',
);

const filterCombinations = [false, true].flatMap((failedOnly) =>
  [undefined, 'curated_lead'].flatMap((trigger) =>
    [undefined, 'reveal'].map((mode) => ({ failedOnly, trigger, mode })),
  ),
);

const SHAPES: Array<[string, q.QuerySpec]> = [
  ['recent attempts', q.recent()],
  ['chart (successes)', q.successes()],
  ['open commits', q.commits()],
  ['reveal of a commit', q.revealOf('some-commit')],
  ...Object.entries(q.counts(new Date())).map(([k, spec]): [string, q.QuerySpec] => [
    `count of ${k}`,
    spec,
  ]),
  ...filterCombinations.map((f): [string, q.QuerySpec] => [
    `table filtered by ${JSON.stringify(f)}`,
    q.attempts(f),
  ]),
];

/** A composite index made of the equality fields (any order), then ts descending. */
function hasComposite(spec: q.QuerySpec): boolean {
  const equal = spec.equal.map((e) => e.field).sort();
  return composites.some((index) => {
    const last = index.fields.at(-1);
    const prefix = index.fields.slice(0, -1);
    return (
      last?.fieldPath === 'ts' &&
      last.order === 'DESCENDING' &&
      prefix.every((f) => f.order === 'ASCENDING') &&
      JSON.stringify(prefix.map((f) => f.fieldPath).sort()) === JSON.stringify(equal)
    );
  });
}

describe('firestore.indexes.json serves the dashboard', () => {
  it.each(SHAPES)('%s', (_name, spec) => {
    if (spec.equal.length > 0 && spec.ordered) {
      expect(hasComposite(spec), JSON.stringify(spec.equal)).toBe(true);
    } else {
      // One field, or ts alone: single-field indexes, which no override may switch off.
      const fields = [
        ...spec.equal.map((e) => e.field),
        ...(spec.ordered || spec.since ? ['ts'] : []),
      ];
      expect(fields.length).toBeLessThanOrEqual(1);
      for (const field of fields) {
        const override = (
          config.fieldOverrides as Array<{
            collectionGroup: string;
            fieldPath: string;
            indexes: IndexField[];
          }>
        ).find((o) => o.collectionGroup === q.COLLECTION && o.fieldPath === field);
        if (override)
          expect(override.indexes.map((i) => i.order)).toContain(
            field === 'ts' ? 'DESCENDING' : 'ASCENDING',
          );
      }
    }
  });
});
