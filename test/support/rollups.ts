// Writing curated leads as producers do, and handing each write to the rollups exactly as the
// curated-lead triggers do (same handler logic, same event fields), in-process.
import type { DocumentData, Firestore } from 'firebase-admin/firestore';
import { canonicalHotkey } from '../../functions/src/leads/hotkey';
import { observeLeadWrites, type LeadWrite } from '../../functions/src/rollups/observe';
import { RollupStore } from '../../functions/src/rollups/store';

export function leadWriter(db: Firestore, collection = 'curated_leads') {
  const store = new RollupStore(db, collection);
  const leads = db.collection(collection);
  return {
    store,
    /** Writes (creates or replaces) leads; returns the events their trigger would receive. */
    async put(docs: Record<string, DocumentData>, observe = true): Promise<LeadWrite[]> {
      const writes: LeadWrite[] = [];
      const entries = Object.entries(docs);
      for (let i = 0; i < entries.length; i += 400) {
        const batch = db.batch();
        const chunk = entries.slice(i, i + 400);
        for (const [id, data] of chunk) batch.set(leads.doc(id), data);
        const results = await batch.commit();
        chunk.forEach(([id], j) => {
          writes.push({
            id,
            data: docs[id],
            version: { time: results[j].writeTime, deleted: false },
          });
        });
      }
      if (observe) await observeLeadWrites(store, writes, canonicalHotkey);
      return writes;
    },
    /** Deletes leads; returns the events their trigger would receive. */
    async remove(ids: string[], observe = true): Promise<LeadWrite[]> {
      const snapshots = await db.getAll(...ids.map((id) => leads.doc(id)));
      const batch = db.batch();
      for (const id of ids) batch.delete(leads.doc(id));
      await batch.commit();
      const writes = snapshots.flatMap((snapshot): LeadWrite[] =>
        snapshot.updateTime
          ? [
              {
                id: snapshot.id,
                data: undefined,
                version: { time: snapshot.updateTime, deleted: true },
              },
            ]
          : [],
      );
      if (observe) await observeLeadWrites(store, writes, canonicalHotkey);
      return writes;
    },
    observe(writes: readonly LeadWrite[]) {
      return observeLeadWrites(store, writes, canonicalHotkey);
    },
  };
}
