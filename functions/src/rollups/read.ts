/**
 * Reads a window's counts from the rollups, in one read-only transaction so the state, the days
 * and the edge leads are one snapshot even while a fold runs: the state, at most 31 day documents
 * for 30 days, and the list of the hour at each edge that may have a lead on its far side (see
 * window-plan.ts): usually only the start's. An hour too busy for its list is read by a query.
 */
import type { Transaction } from 'firebase-admin/firestore';
import type { Window } from '../leads/window';
import { dayOfHour, HOURS_PER_DAY, type DayRollup } from './buckets';
import { decodeContribution, instantOf, type Contribution } from './contribution';
import { dayOf, hourListOf, recordOf, stateOf, type RollupState, type RollupStore } from './store';
import {
  countWindow,
  edgesToRead,
  planWindow,
  type EdgeLead,
  type WindowCounts,
} from './window-plan';

export interface RollupRead {
  state: RollupState | undefined;
  /** The counts of the window chosen; undefined when none was. */
  counts?: WindowCounts;
  reads: { aggregates: number; leads: number };
}

/**
 * Reads the state, then the counts of the window `choose` picks from it (none: only the state).
 */
export async function readRollupWindow(
  store: RollupStore,
  choose: (state: RollupState | undefined) => Window | undefined,
): Promise<RollupRead> {
  return store.db.runTransaction(
    async (tx) => {
      const reads = { aggregates: 1, leads: 0 };
      const state = stateOf(await tx.get(store.state));
      const window = choose(state);
      if (!state || !window) return { state, reads };
      const plan = planWindow(window);
      const snapshots = plan.days.length
        ? await tx.getAll(...plan.days.map((day) => store.day(state.gen, day)))
        : [];
      reads.aggregates += snapshots.length;
      const days = new Map<number, DayRollup>();
      for (const snapshot of snapshots) {
        const day = dayOf(snapshot);
        if (day) days.set(day.day, day);
      }
      const edgeLeads: EdgeLead[] = [];
      for (const edge of edgesToRead(plan, days)) {
        const day = days.get(dayOfHour(edge.hour));
        const overflow = day?.overflow[edge.hour - dayOfHour(edge.hour) * HOURS_PER_DAY];
        const leads = overflow
          ? await queryEdge(tx, store, edge.from, edge.to, state.gen)
          : await listedEdge(tx, store, edge.hour, state.gen);
        if (overflow) reads.leads += leads.length;
        else reads.aggregates += 1;
        for (const { id, contribution } of leads) {
          const micros = instantOf(contribution);
          if (micros !== undefined && micros >= edge.from && micros <= edge.to) {
            edgeLeads.push({ id, contribution, sign: edge.sign });
          }
        }
      }
      return { state, counts: countWindow(plan, days, edgeLeads, window), reads };
    },
    { readOnly: true },
  );
}

type Listed = { id: string; contribution: Contribution };

/** The hour's leads, from its list (one document). */
async function listedEdge(
  tx: Transaction,
  store: RollupStore,
  hour: number,
  gen: number,
): Promise<Listed[]> {
  const list = hourListOf(await tx.get(store.hour(gen, hour)));
  return Object.entries(list?.leads ?? {}).map(([id, text]) => ({
    id,
    contribution: decodeContribution(text),
  }));
}

/** An overflowed hour's leads at the edge, by a query on the records. */
async function queryEdge(
  tx: Transaction,
  store: RollupStore,
  from: number,
  to: number,
  gen: number,
): Promise<Listed[]> {
  const query = store.records
    .where('folded_micros', '>=', from)
    .where('folded_micros', '<=', to)
    .select('folded', 'gen');
  return (await tx.get(query)).docs.flatMap((snapshot) => {
    const record = recordOf(snapshot);
    // A record of another generation is not in these days (a lead deleted before a rebuild).
    return record?.folded && record.gen === gen
      ? [{ id: snapshot.id, contribution: decodeContribution(record.folded) }]
      : [];
  });
}
