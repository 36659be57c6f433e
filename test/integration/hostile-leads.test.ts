// Leads written by miners with hostile values, through Firestore: each costs milliseconds and is
// accounted for (issue 12, finding 1: a 100 KB hotkey took 37 s to score and held a review
// transaction for 36 s).
import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG } from '../../functions/src/config/scoring';
import { onSourcedLead } from '../../functions/src/leads/review';
import { calculateWeights } from '../../functions/src/scoring/calculate-weights';
import { testFirestore } from '../support/firestore';
import { hotkey } from '../support/hotkeys';
import { recordingLogger } from '../support/logger';

const store = testFirestore('hostile-leads');
const { db } = store;
const NOW = new Date('2026-11-22T12:00:00Z');
const AT = Timestamp.fromMillis(NOW.getTime() - 86_400e3);
const LONG = 'z'.repeat(100_000);

afterAll(() => store.close());
beforeEach(() => store.clear());

describe('hostile leads', () => {
  it('scores a curated lead with a 100 KB hotkey in seconds, not minutes, skipped by name', async () => {
    await db
      .collection('curated_leads')
      .doc('long-curator')
      .set({
        curated_by: LONG,
        source: hotkey(1),
        created_at: AT,
      });
    await db
      .collection('curated_leads')
      .doc('long-source')
      .set({
        curated_by: hotkey(1),
        source: `${hotkey(2)}${LONG}`,
        created_at: AT,
      });
    await db
      .collection('curated_leads')
      .doc('fine')
      .set({
        curated_by: hotkey(1),
        source: hotkey(2),
        created_at: AT,
      });
    const started = Date.now();
    const result = await calculateWeights({
      db,
      projectId: store.projectId,
      config: DEFAULT_SCORING_CONFIG,
      log: recordingLogger(),
      now: NOW,
    });
    expect(Date.now() - started).toBeLessThan(15_000); // 37 s before the length checks
    expect(result.leads).toMatchObject({ read: 3, counted: 1 });
    expect(result.leads.skipped).toMatchObject({ invalid_curated_by: 1, invalid_source: 1 });
    expect(Object.keys(result.weights_dict).sort()).toEqual([hotkey(1), hotkey(2)].sort());
  });

  it('reviews a sourced lead with a 100 KB source or a 900 KB email at once, rejected', async () => {
    const leads = db.collection('sourced_leads');
    await leads.doc('long-source').set({ source: LONG, email: 'a@example.com', created_at: AT });
    await leads
      .doc('long-email')
      .set({ source: hotkey(1), email: `${'a'.repeat(900_000)}@example.com`, created_at: AT });
    const started = Date.now();
    const log = recordingLogger();
    const nowMs = NOW.getTime();
    expect(await onSourcedLead({ db, log, leadId: 'long-source', nowMs })).toEqual({
      outcome: 'rejected',
      review_reason: 'source is not an SS58 address',
    });
    // Normalised beside itself, this address would take the lead past Firestore's 1 MiB.
    expect(await onSourcedLead({ db, log, leadId: 'long-email', nowMs })).toEqual({
      outcome: 'rejected',
      review_reason: 'email is not a plausible address',
    });
    expect(Date.now() - started).toBeLessThan(15_000); // 37 s before the length checks
    expect((await leads.doc('long-email').get()).get('email_normalized')).toBeUndefined();
  });
});
