/**
 * Reads a window's counts from the rollups, in one read-only transaction so the state, the days
 * and the edge leads are one snapshot even while a fold runs: at most 31 day documents for 30
 * days, the state, and the records of the leads at the window's edges that may be on the far side
 * of them (see window-plan.ts).
 */
import type { DocumentSnapshot, Transaction } from 'firebase-admin/firestore';
import type { Window } from '../leads/window';
import type { DayRollup } from './buckets';
import { decodeContribution } from './contribution';
import { dayOf, stateOf, recordOf, type RollupState, type RollupStore } from './store';
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
        const leads = await queryEdge(tx, store, edge.from, edge.to);
        reads.leads += leads.length;
        for (const snapshot of leads) {
          const record = recordOf(snapshot);
          // A record of another generation is not in these days (a lead deleted before a rebuild).
          if (record?.folded && record.gen === state.gen) {
            edgeLeads.push({
              id: snapshot.id,
              contribution: decodeContribution(record.folded),
              sign: edge.sign,
            });
          }
        }
      }
      return { state, counts: countWindow(plan, days, edgeLeads, window), reads };
    },
    { readOnly: true },
  );
}

async function queryEdge(
  tx: Transaction,
  store: RollupStore,
  from: number,
  to: number,
): Promise<DocumentSnapshot[]> {
  const query = store.records
    .where('folded_micros', '>=', from)
    .where('folded_micros', '<=', to)
    .select('folded', 'gen');
  return (await tx.get(query)).docs;
}
