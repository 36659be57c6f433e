/**
 * Reads a window's counts from the rollups, in one read-only transaction so the state, the days
 * and the edge leads are one snapshot even while a fold runs: the state, at most 31 day documents
 * for 30 days, the shard documents of days with more than MINERS_PER_DOC miners, and the list of
 * the hour at each edge that may have a lead on its far side (see window-plan.ts): usually only
 * the start's. An hour too busy for its list is read by a query. A document that cannot be read
 * as the rollups wrote it throws a RollupReadError naming it: scoring then reads the leads.
 */
import type { Transaction } from 'firebase-admin/firestore';
import type { Window } from '../leads/window';
import { dayOfHour, HOURS_PER_DAY, type DayRollup } from './buckets';
import { decodeContribution, instantOf, type Contribution } from './contribution';
import {
  dayOf,
  hourListOf,
  loadDay,
  minerShardOf,
  recordOf,
  shardRefs,
  stateOf,
  type RollupState,
  type RollupStore,
} from './store';
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
      const stored = snapshots.map((snapshot) => dayOf(snapshot));
      const refs = shardRefs(store, state.gen, stored);
      const shards = refs.length ? await tx.getAll(...refs) : [];
      reads.aggregates += shards.length;
      const days = new Map<number, DayRollup>();
      let next = 0;
      stored.forEach((day, i) => {
        if (!day) return;
        const own = shards.slice(next, next + (day.miner_shards ?? 0));
        next += own.length;
        const path = `${store.days.id}/${snapshots[i].id}`;
        const loaded = checked(path, () =>
          checkDay(
            loadDay(
              day,
              own.map((s) => minerShardOf(s)),
            ).rollup,
          ),
        );
        days.set(day.day, loaded);
      });
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

/** A rollup document that is not what the rollups write: the run reads the leads instead. */
export class RollupReadError extends Error {
  constructor(
    /** The document's path, from the collection of leads' rollups down. */
    readonly document: string,
    message: string,
  ) {
    super(`rollup document ${document} cannot be read: ${message}`);
    this.name = 'RollupReadError';
  }
}

function checked<T>(document: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new RollupReadError(document, error instanceof Error ? error.message : String(error));
  }
}

const HOURS = 24;
function isCounts(value: unknown): boolean {
  return Array.isArray(value) && value.length === HOURS && value.every(Number.isFinite);
}

/** The day as stored, its shape checked (a count that is not a number would count as nothing). */
function checkDay(day: DayRollup): DayRollup {
  if (typeof day.miners !== 'object' || day.miners === null) throw new Error('no miners map');
  for (const [hotkey, counts] of Object.entries(day.miners)) {
    if (!isCounts(counts?.curated) || !isCounts(counts?.sourced))
      throw new Error(`the counts of miner ${hotkey} are not 24 numbers`);
  }
  for (const [reason, counts] of Object.entries(day.skipped ?? {})) {
    if (!isCounts(counts)) throw new Error(`the counts of ${reason} are not 24 numbers`);
  }
  return day;
}

/** The hour's leads, from its list (one document). */
async function listedEdge(
  tx: Transaction,
  store: RollupStore,
  hour: number,
  gen: number,
): Promise<Listed[]> {
  const ref = store.hour(gen, hour);
  const list = hourListOf(await tx.get(ref));
  return checked(`${store.hours.id}/${ref.id}`, () =>
    Object.entries(list?.leads ?? {}).map(([id, text]) => ({
      id,
      contribution: decodeContribution(text),
    })),
  );
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
    const folded = record?.gen === gen ? record.folded : null;
    return folded
      ? [
          {
            id: snapshot.id,
            contribution: checked(`${store.records.id}/${snapshot.id}`, () =>
              decodeContribution(folded),
            ),
          },
        ]
      : [];
  });
}
