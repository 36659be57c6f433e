/**
 * Every query the dashboard makes on weight_transactions, as plain data: the Firestore layer
 * (data.ts) turns a spec into a query, and a test checks that firestore.indexes.json has the
 * composite index each shape needs. All lists are newest first and bounded.
 */
import { COMMIT_MODES } from './model';

export const COLLECTION = 'weight_transactions';
export const PAGE_SIZE = 15;
/** Attempts kept live for the status cards. */
export const RECENT_LIMIT = 50;
/** Successful attempts drawn in the chart. */
export const CHART_LIMIT = 200;

export interface Equality {
  field: string;
  op: '==' | 'in';
  value: string | boolean | readonly string[];
}

export interface QuerySpec {
  equal: Equality[];
  /** A lower bound on ts (for counts). */
  since?: Date;
  /** Lists are ordered by ts, newest first; a lookup by a field has no order. */
  ordered: boolean;
  limit?: number;
}

export interface Filters {
  failedOnly: boolean;
  trigger?: string;
  mode?: string;
}

export const NO_FILTERS: Filters = { failedOnly: false };

export const recent = (): QuerySpec => ({ equal: [], ordered: true, limit: RECENT_LIMIT });

/** A page of the table; one more than a page is read to know whether an older page exists. */
export function attempts(filters: Filters): QuerySpec {
  const equal: Equality[] = [];
  if (filters.failedOnly) equal.push({ field: 'success', op: '==', value: false });
  if (filters.trigger) equal.push({ field: 'trigger', op: '==', value: filters.trigger });
  if (filters.mode) equal.push({ field: 'mode', op: '==', value: filters.mode });
  return { equal, ordered: true, limit: PAGE_SIZE + 1 };
}

export const successes = (): QuerySpec => ({
  equal: [{ field: 'success', op: '==', value: true }],
  ordered: true,
  limit: CHART_LIMIT,
});

export const commits = (): QuerySpec => ({
  equal: [{ field: 'mode', op: 'in', value: COMMIT_MODES }],
  ordered: true,
  limit: 10,
});

/** The reveal that points at a commit. */
export const revealOf = (commitId: string): QuerySpec => ({
  equal: [{ field: 'commit_transaction', op: '==', value: commitId }],
  ordered: false,
  limit: 1,
});

/** Counted server-side (no documents read): all attempts, those that landed, those that failed. */
export const counts = (since: Date) => ({
  total: { equal: [], since, ordered: true } satisfies QuerySpec,
  landed: {
    equal: [{ field: 'success', op: '==', value: true }],
    since,
    ordered: true,
  } satisfies QuerySpec,
  failed: {
    equal: [{ field: 'status', op: '==', value: 'failed' }],
    since,
    ordered: true,
  } satisfies QuerySpec,
});
