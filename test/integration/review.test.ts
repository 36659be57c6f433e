import { createHash } from 'node:crypto';
import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  onSourcedLead,
  reviewQueuedLeads,
  type ReviewOutcome,
} from '../../functions/src/leads/review';
import { acquireLease, LEASE_TERM_MS, releaseLease } from '../../functions/src/state/publisher';
import { testFirestore } from '../support/firestore';
import { hotkey } from '../support/hotkeys';
import { recordingLogger } from '../support/logger';

const store = testFirestore('review');
const { db } = store;
const leads = db.collection('sourced_leads');
const index = db.collection('sourced_email_index');
const T0 = Date.parse('2026-11-22T12:00:00Z');
const PUBLISHER = 'publish-run-1';

afterAll(() => store.close());
beforeEach(() => store.clear());
afterEach(() => {
  vi.restoreAllMocks();
});

function lead(email: unknown, source: unknown = hotkey(1)) {
  return { source, email, created_at: Timestamp.fromMillis(T0 - 60_000) };
}

function without(data: Record<string, unknown>, field: string) {
  return Object.fromEntries(Object.entries(data).filter(([key]) => key !== field));
}

async function push(id: string, data: Record<string, unknown>) {
  await leads.doc(id).set(data);
}

async function review(leadId: string, nowMs = T0, log = recordingLogger()) {
  return onSourcedLead({ db, leadId, log, nowMs });
}

async function stored(id: string) {
  return (await leads.doc(id).get()).data();
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('onSourcedLead', () => {
  it('accepts a valid lead, stores its normalised email and claims the address', async () => {
    await push('l1', lead(' Ada@Example.com '));
    const log = recordingLogger();
    expect(await review('l1', T0, log)).toEqual({ outcome: 'accepted' });
    expect(await stored('l1')).toMatchObject({
      status: 'accepted',
      email: ' Ada@Example.com ',
      email_normalized: 'ada@example.com',
      reviewed_at: Timestamp.fromMillis(T0),
    });
    expect((await stored('l1'))?.review_reason).toBeUndefined();
    const claim = await index.doc(sha256('ada@example.com')).get();
    expect(claim.data()).toEqual({ lead_id: 'l1', claimed_at: Timestamp.fromMillis(T0) });
    expect(log.lines).toEqual(['INFO Sourced lead l1 accepted']);
  });

  it.each([
    {
      case: 'a missing source',
      data: without(lead('a@example.com'), 'source'),
      reason: 'missing source',
    },
    {
      case: 'an invalid source',
      data: lead('a@example.com', 'not-a-hotkey'),
      reason: 'source is not an SS58 address',
    },
    {
      case: 'a bad email',
      data: lead('a@localhost'),
      reason: 'email is not a plausible address',
    },
    { case: 'a missing email', data: without(lead(''), 'email'), reason: 'missing email' },
  ])('rejects a lead with $case', async ({ data, reason }) => {
    await push('l1', data);
    const log = recordingLogger();
    expect(await review('l1', T0, log)).toEqual({ outcome: 'rejected', review_reason: reason });
    expect(await stored('l1')).toMatchObject({
      status: 'rejected',
      review_reason: reason,
      reviewed_at: Timestamp.fromMillis(T0),
    });
    expect(log.lines).toEqual([`INFO Sourced lead l1 rejected: ${reason}`]);
    // A rejected lead claims nothing.
    expect((await index.get()).empty).toBe(true);
  });

  it.each([
    ['the same address', 'ada@example.com', 'ada@example.com'],
    ['another case and spaces', 'ada@example.com', ' ADA@example.COM'],
    ['Gmail dots and a +tag', 'ada.lovelace@gmail.com', 'AdaLove.Lace+leads@gmail.com'],
    ['googlemail.com for gmail.com', 'adalovelace@gmail.com', 'ada.lovelace@googlemail.com'],
  ])('rejects a duplicate with %s, naming the earlier lead', async (_, first, second) => {
    await push('first', lead(first));
    await push('second', lead(second, hotkey(2)));
    expect(await review('first')).toEqual({ outcome: 'accepted' });
    const log = recordingLogger();
    expect(await review('second', T0 + 1, log)).toEqual({
      outcome: 'rejected',
      review_reason: 'duplicate of lead first',
    });
    expect(await stored('second')).toMatchObject({
      status: 'rejected',
      review_reason: 'duplicate of lead first',
      email_normalized: (await stored('first'))?.email_normalized,
    });
    // The log names leads, never their addresses.
    expect(log.lines).toEqual(['INFO Sourced lead second rejected: duplicate of lead first']);
  });

  it('lets a lead through when the earlier one with its address was rejected', async () => {
    await push('badSource', lead('ada@example.com', 'typo'));
    await push('fixed', lead('ada@example.com'));
    expect(await review('badSource')).toMatchObject({ outcome: 'rejected' });
    expect(await review('fixed')).toEqual({ outcome: 'accepted' });
    expect(await review('fixed')).toEqual({ outcome: 'already_reviewed', status: 'accepted' });
  });

  it('finds a duplicate accepted without a claim (before the index existed)', async () => {
    await push('legacy', {
      ...lead('ada@example.com'),
      status: 'accepted',
      email_normalized: 'ada@example.com',
    });
    await push('new', lead('Ada@example.com'));
    expect(await review('new')).toEqual({
      outcome: 'rejected',
      review_reason: 'duplicate of lead legacy',
    });
  });

  it('takes over the claim of a lead that was deleted', async () => {
    await push('erased', lead('ada@example.com'));
    await review('erased');
    await leads.doc('erased').delete();
    await push('new', lead('ada@example.com'));
    expect(await review('new')).toEqual({ outcome: 'accepted' });
    expect((await index.doc(sha256('ada@example.com')).get()).get('lead_id')).toBe('new');
  });

  it('is idempotent: a second delivery changes nothing', async () => {
    await push('ok', lead('ada@example.com'));
    await push('bad', lead('nope'));
    await review('ok');
    await review('bad');
    const before = [await stored('ok'), await stored('bad'), (await index.get()).docs.length];
    const log = recordingLogger();
    expect(await review('ok', T0 + 5_000, log)).toEqual({
      outcome: 'already_reviewed',
      status: 'accepted',
    });
    expect(await review('bad', T0 + 5_000, log)).toEqual({
      outcome: 'already_reviewed',
      status: 'rejected',
    });
    expect([await stored('ok'), await stored('bad'), (await index.get()).docs.length]).toEqual(
      before,
    );
    expect(log.messages()).toEqual([
      'Sourced lead ok already reviewed (accepted): nothing to do',
      'Sourced lead bad already reviewed (rejected): nothing to do',
    ]);
  });

  it('does not count a lead as a duplicate of itself when it is redelivered', async () => {
    await push('l1', lead('ada@example.com'));
    await Promise.all([review('l1'), review('l1'), review('l1')]);
    expect(await stored('l1')).toMatchObject({ status: 'accepted' });
  });

  it('accepts exactly one of concurrent leads with the same address', async () => {
    const ids = ['c1', 'c2', 'c3', 'c4'];
    const emails = ['ada.lovelace@gmail.com', 'adalovelace@gmail.com', 'Ada.Lovelace+x@gmail.com'];
    await Promise.all(ids.map((id, n) => push(id, lead(emails[n % emails.length], hotkey(n + 1)))));
    const outcomes = await Promise.all(ids.map((id) => review(id)));
    const accepted = ids.filter((_, n) => outcomes[n].outcome === 'accepted');
    expect(accepted).toHaveLength(1);
    for (const outcome of outcomes.filter((o) => o.outcome !== 'accepted')) {
      expect(outcome).toEqual({
        outcome: 'rejected',
        review_reason: `duplicate of lead ${accepted[0]}`,
      });
    }
    const claims = await index.get();
    expect(claims.docs.map((doc) => doc.get('lead_id'))).toEqual(accepted);
  });

  it('warns about a lead that no longer exists', async () => {
    const log = recordingLogger();
    expect(await review('gone', T0, log)).toEqual({ outcome: 'missing' });
    expect(log.messages('WARN')).toEqual(['Sourced lead gone no longer exists: not reviewed']);
  });
});

describe('a publish in progress', () => {
  it('queues leads, which reviewQueuedLeads reviews once the lease is released', async () => {
    expect(await acquireLease(db, PUBLISHER, T0)).toBe(true);
    await push('dup', lead('ada@example.com', hotkey(2)));
    await push('first', lead('ada@example.com'));
    await push('bad', lead('a@localhost'));
    const log = recordingLogger();
    // Queued in this order: the sweep goes by queued_at, so 'dup' is the earlier lead here.
    const queued: ReviewOutcome = { outcome: 'queued' };
    expect(await review('dup', T0 + 1, log)).toEqual(queued);
    expect(await review('first', T0 + 2, log)).toEqual(queued);
    expect(await review('bad', T0 + 3, log)).toEqual(queued);
    expect(await stored('dup')).toMatchObject({
      status: 'queued',
      queued_at: Timestamp.fromMillis(T0 + 1),
    });
    expect((await stored('dup'))?.reviewed_at).toBeUndefined();
    expect(log.messages()).toContain('Sourced lead dup queued: a weight publish is in progress');

    // A redelivery during the publish keeps the lead queued as it was.
    expect(await review('dup', T0 + 4)).toEqual(queued);
    expect((await stored('dup'))?.queued_at).toEqual(Timestamp.fromMillis(T0 + 1));

    // The sweep leaves them alone while the publish runs.
    const deferred = recordingLogger();
    expect(await reviewQueuedLeads({ db, log: deferred, nowMs: T0 + 5 })).toBe(0);
    expect(deferred.messages()).toEqual([
      'Queued sourced leads left for later: a weight publish is in progress',
    ]);
    expect(await stored('first')).toMatchObject({ status: 'queued' });

    await releaseLease(db, PUBLISHER);
    const sweep = recordingLogger();
    expect(await reviewQueuedLeads({ db, log: sweep, nowMs: T0 + 6 })).toBe(3);
    expect(await stored('dup')).toMatchObject({
      status: 'accepted',
      reviewed_at: Timestamp.fromMillis(T0 + 6),
    });
    expect(await stored('first')).toMatchObject({
      status: 'rejected',
      review_reason: 'duplicate of lead dup',
    });
    expect(await stored('bad')).toMatchObject({ status: 'rejected' });
    expect(sweep.messages().at(-1)).toBe('Reviewed 3 queued sourced leads');

    // Nothing left: a second sweep is a no-op.
    expect(await reviewQueuedLeads({ db, log: recordingLogger(), nowMs: T0 + 7 })).toBe(0);
  });

  it('does not keep leads queued after the lease of a crashed publisher expires', async () => {
    await acquireLease(db, 'crashed-run', T0);
    await push('waiting', lead('ada@example.com'));
    expect(await review('waiting', T0 + 1)).toEqual({ outcome: 'queued' });

    // Still within the term: the lease counts, even though its holder is gone.
    const expiry = T0 + LEASE_TERM_MS;
    await push('late', lead('bob@example.com'));
    expect(await review('late', expiry - 1)).toEqual({ outcome: 'queued' });

    // After the term, without any release: new leads are reviewed and the sweep empties the queue.
    await push('after', lead('carol@example.com'));
    expect(await review('after', expiry + 1)).toEqual({ outcome: 'accepted' });
    expect(await reviewQueuedLeads({ db, log: recordingLogger(), nowMs: expiry + 1 })).toBe(2);
    expect((await leads.where('status', '==', 'queued').get()).size).toBe(0);
  });

  it('reviews every queued lead across pages, oldest queued first', async () => {
    await acquireLease(db, PUBLISHER, T0);
    const ids = Array.from({ length: 7 }, (_, n) => `q${n}`);
    // Written in reverse order, all with the same address: only the oldest queued is accepted.
    for (const [n, id] of [...ids.entries()].reverse()) {
      await push(id, lead('ada@example.com', hotkey(n + 1)));
    }
    for (const [n, id] of ids.entries()) await review(id, T0 + 10 + n);
    // A queued lead without queued_at (another producer's) is found too.
    await push('legacy', { ...lead('legacy@example.com'), status: 'queued' });
    await releaseLease(db, PUBLISHER);

    expect(await reviewQueuedLeads({ db, log: recordingLogger(), nowMs: T0 + 100, limit: 2 })).toBe(
      8,
    );
    expect(await stored('q0')).toMatchObject({ status: 'accepted' });
    for (const id of ids.slice(1)) {
      expect(await stored(id)).toMatchObject({ review_reason: 'duplicate of lead q0' });
    }
    expect(await stored('legacy')).toMatchObject({ status: 'accepted' });
  });

  it('stops a sweep when a publish starts, and the next sweep finishes it', async () => {
    await acquireLease(db, PUBLISHER, T0);
    for (const n of [1, 2, 3]) {
      await push(`q${n}`, lead(`m${n}@example.com`));
      await review(`q${n}`, T0 + n);
    }
    await releaseLease(db, PUBLISHER);
    // Another publish takes the lease after the sweep has started: just before its second review.
    const runTransaction = db.runTransaction.bind(db);
    let transactions = 0;
    vi.spyOn(db, 'runTransaction').mockImplementation(async (update, options) => {
      if (++transactions === 2) await acquireLease(db, 'publish-run-2', T0 + 10);
      return runTransaction(update, options);
    });
    const log = recordingLogger();
    expect(await reviewQueuedLeads({ db, log, nowMs: T0 + 10 })).toBe(1);
    vi.restoreAllMocks();
    expect(log.messages().at(-1)).toBe(
      'A weight publish started: stopped reviewing queued sourced leads after 1',
    );
    expect(await stored('q1')).toMatchObject({ status: 'accepted' });
    expect((await leads.where('status', '==', 'queued').get()).size).toBe(2);

    await releaseLease(db, 'publish-run-2');
    expect(await reviewQueuedLeads({ db, log: recordingLogger(), nowMs: T0 + 20 })).toBe(2);
  });

  it('honours the configured collections', async () => {
    const other = db.collection('sourced_leads_v2');
    await other.doc('x').set(lead('ada@example.com'));
    const outcome = await onSourcedLead({
      db,
      leadId: 'x',
      log: recordingLogger(),
      nowMs: T0,
      collection: 'sourced_leads_v2',
      indexCollection: 'email_claims',
    });
    expect(outcome).toEqual({ outcome: 'accepted' });
    expect((await db.collection('email_claims').get()).size).toBe(1);
    expect((await index.get()).empty).toBe(true);
  });
});
