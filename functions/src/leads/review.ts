/**
 * The review gate for sourced leads: each lead a miner pushes is accepted or rejected (with a
 * reason) once, or queued while a weight publish runs, so that a publish never sees leads change
 * under it. Queued leads are reviewed when the publish ends and by the hourly sweep; the lease
 * expires, so a crashed publisher cannot keep them queued beyond its term.
 *
 * Duplicates: a lead is a duplicate when another lead with the same normalised email is already
 * accepted. Only acceptance claims an address: a rejected lead earns nothing, so it must not stop a
 * correct submission of the same contact (a miner fixing a mistyped hotkey, say). Among leads with
 * the same address the first to be accepted wins; the sweep reviews queued leads oldest first, so
 * that is the earliest one whenever they waited together.
 *
 * The review runs in a Firestore transaction and does nothing to a lead that already has a final
 * status, so that at-least-once delivery, retries and a trigger firing on our own writes are
 * harmless, and so that it cannot race a publisher taking the lease (see reviewInTransaction).
 */
import { createHash } from 'node:crypto';
import {
  FieldPath,
  FieldValue,
  Timestamp,
  type CollectionReference,
  type DocumentData,
  type DocumentReference,
  type Firestore,
  type QueryDocumentSnapshot,
  type Transaction,
} from 'firebase-admin/firestore';
import type { Logger } from '../logs/logger';
import * as logs from '../logs/review';
import { publishInProgress } from '../state/publisher';
import { canonicalHotkey } from './hotkey';

/** Attempts of a transaction that concurrent reviews contend on. */
const CONTENDED = { maxAttempts: 20 };

export const SOURCED_LEADS_COLLECTION = 'sourced_leads';
export const EMAIL_INDEX_COLLECTION = 'sourced_email_index';
/** The longest address SMTP can carry (RFC 5321's path limit, less the angle brackets). */
export const MAX_EMAIL_LENGTH = 254;
/**
 * A longer email field is rejected unread and never copied: a miner's megabyte-long "address",
 * normalised beside itself, would take the document past Firestore's 1 MiB and fail the review
 * at every retry of the trigger.
 */
const MAX_EMAIL_FIELD = 4 * MAX_EMAIL_LENGTH;
/** Leads read per page by the sweep. */
export const DEFAULT_SWEEP_PAGE = 100;

const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

export type Review = { status: 'accepted' } | { status: 'rejected'; review_reason: string };

export type ReviewOutcome =
  | { outcome: 'accepted' }
  | { outcome: 'rejected'; review_reason: string }
  | { outcome: 'queued' }
  | { outcome: 'already_reviewed'; status: 'accepted' | 'rejected' }
  | { outcome: 'missing' };

export interface ReviewContext {
  db: Firestore;
  log: Logger;
  /** The sourced leads' collection. */
  collection?: string;
  /** Where each accepted address is claimed (see findDuplicate). */
  indexCollection?: string;
  /** The time of the review: compared with the lease, and written as reviewed_at or queued_at. */
  nowMs?: number;
}

/**
 * The verdict on a lead's own fields, checked in order: source, email, then `duplicateOf` (the id
 * of an accepted lead with the same address, when the caller found one). Reasons never contain
 * the email address, so they can be logged.
 */
export function reviewLead(data: DocumentData, duplicateOf?: string): Review {
  const { source, email } = data;
  if (source === undefined || source === null || source === '') return rejected('missing source');
  if (typeof source !== 'string' || canonicalHotkey(source) === undefined) {
    return rejected('source is not an SS58 address');
  }
  if (email === undefined || email === null || email === '') return rejected('missing email');
  if (
    typeof email !== 'string' ||
    email.length > MAX_EMAIL_FIELD ||
    !plausibleEmail(email.trim())
  ) {
    return rejected('email is not a plausible address');
  }
  if (duplicateOf !== undefined) return rejected(`duplicate of lead ${duplicateOf}`);
  return { status: 'accepted' };
}

/**
 * The form under which two addresses reach the same mailbox. Gmail ignores dots and anything
 * after a + in the local part, and googlemail.com is the same service, so those are folded;
 * other providers differ on both, so only case and surrounding spaces are.
 */
export function normalizeEmail(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 0 || !GMAIL_DOMAINS.has(lower.slice(at + 1))) return lower;
  const local = lower.slice(0, at).split('+')[0].replaceAll('.', '');
  return `${local}@gmail.com`;
}

/** Reviews one lead, or queues it while a publish runs. What a create trigger does. */
export async function onSourcedLead(
  context: ReviewContext & { leadId: string },
): Promise<ReviewOutcome> {
  const outcome = await reviewInTransaction(context, context.leadId);
  logOutcome(context.log, context.leadId, outcome);
  return outcome;
}

/**
 * Reviews every queued lead, oldest queued first, in pages of `limit`; returns how many it
 * reviewed. Runs when a publish ends and hourly, so that a lead queued under a lease that then
 * expired (a crashed publisher) is reviewed all the same. Does nothing while a publish is in
 * progress, and stops if one starts: its end sweeps again.
 *
 * Leads are reviewed one at a time, because among queued leads with the same address the first
 * accepted wins. A second pass, by id, finds queued leads without queued_at (which the ordered
 * query cannot see: another producer's, say). Ordering by queued_at needs the composite index
 * (status ASC, queued_at ASC) on the collection.
 */
export async function reviewQueuedLeads(
  context: ReviewContext & { limit?: number },
): Promise<number> {
  const { db, log, limit = DEFAULT_SWEEP_PAGE } = context;
  const nowMs = context.nowMs ?? Date.now();
  if (await publishInProgress(db, nowMs)) {
    logs.sweepDeferred(log);
    return 0;
  }
  const queued = db
    .collection(context.collection ?? SOURCED_LEADS_COLLECTION)
    .where('status', '==', 'queued');
  let reviewed = 0;
  for (const query of [queued.orderBy('queued_at'), queued.orderBy(FieldPath.documentId())]) {
    // A cursor, although reviewed leads leave the query, so that a page always moves on.
    let after: QueryDocumentSnapshot | undefined;
    for (;;) {
      const page = await (after ? query.startAfter(after) : query).limit(limit).get();
      for (const lead of page.docs) {
        const outcome = await reviewInTransaction({ ...context, nowMs }, lead.id);
        logOutcome(log, lead.id, outcome);
        if (outcome.outcome === 'queued') {
          logs.sweepInterrupted(log, reviewed);
          return reviewed;
        }
        if (outcome.outcome === 'accepted' || outcome.outcome === 'rejected') reviewed++;
      }
      if (page.size < limit) break;
      after = page.docs[page.size - 1];
    }
  }
  logs.sweepDone(log, reviewed);
  return reviewed;
}

/**
 * The lead, the lease and the address claim are read and the verdict written in one transaction.
 * Firestore commits it only if nothing it read has changed meanwhile, so a publisher taking or
 * releasing the lease is ordered before or after the review: no lead is accepted once a publish
 * has started, and a lead queued before the lease is released is seen by the sweep that follows
 * the release (a separate publishInProgress() read would leave a gap for both).
 */
async function reviewInTransaction(context: ReviewContext, leadId: string): Promise<ReviewOutcome> {
  const { db } = context;
  const nowMs = context.nowMs ?? Date.now();
  const leads = db.collection(context.collection ?? SOURCED_LEADS_COLLECTION);
  const index = db.collection(context.indexCollection ?? EMAIL_INDEX_COLLECTION);
  const ref = leads.doc(leadId);
  const at = Timestamp.fromMillis(nowMs);

  // Leads with the same address race for one claim by design: more attempts than the default 5,
  // so that a burst on a loaded machine is reviewed rather than failed and redelivered.
  return db.runTransaction(async (tx): Promise<ReviewOutcome> => {
    const data = (await tx.get(ref)).data();
    if (data === undefined) return { outcome: 'missing' };
    const status: unknown = data.status;
    if (status === 'accepted' || status === 'rejected') {
      return { outcome: 'already_reviewed', status };
    }

    if (await publishInProgress(db, nowMs, tx)) {
      // Already queued: keep the first queued_at, which orders the sweep.
      if (status !== 'queued') tx.update(ref, { status: 'queued', queued_at: at });
      return { outcome: 'queued' };
    }

    const email =
      typeof data.email === 'string' && data.email.length <= MAX_EMAIL_FIELD
        ? normalizeEmail(data.email)
        : undefined;
    let review = reviewLead(data);
    let claim: { ref: DocumentReference; exists: boolean } | undefined;
    if (review.status === 'accepted' && email !== undefined) {
      const found = await findDuplicate(tx, leads, index.doc(emailKey(email)), leadId, email);
      if ('duplicateOf' in found) review = reviewLead(data, found.duplicateOf);
      else claim = found.claim;
    }

    // Writes only from here: a transaction reads everything first.
    if (claim) {
      const value = { lead_id: leadId, claimed_at: at };
      if (claim.exists) tx.set(claim.ref, value);
      else tx.create(claim.ref, value);
    }
    tx.update(ref, {
      status: review.status,
      review_reason: review.status === 'rejected' ? review.review_reason : FieldValue.delete(),
      reviewed_at: at,
      ...(email === undefined ? {} : { email_normalized: email }),
    });
    return review.status === 'accepted'
      ? { outcome: 'accepted' }
      : { outcome: 'rejected', review_reason: review.review_reason };
  }, CONTENDED);
}

/**
 * The accepted lead that already has this address, or the claim this lead is to take.
 *
 * The query alone would make the guarantee that two leads with the same address reviewed at the
 * same time are not both accepted depend on how the database protects query results from
 * concurrent inserts. So acceptance also claims the address in `sourced_email_index/{sha256}`
 * (a hash, so that the index holds no address in clear): every review
 * of that address reads and writes this one document, and Firestore commits a transaction only
 * if nothing it read has changed meanwhile, so the second one retries, sees the first's claim and
 * rejects its lead as a duplicate (and create() refuses a claim that appeared regardless). A
 * claim whose lead is gone or no longer accepted (deleted on request, say) is stale and taken
 * over. The query covers leads accepted without a claim: before the index existed, or by another
 * writer.
 */
async function findDuplicate(
  tx: Transaction,
  leads: CollectionReference,
  claimRef: DocumentReference,
  leadId: string,
  email: string,
): Promise<{ duplicateOf: string } | { claim: { ref: DocumentReference; exists: boolean } }> {
  const claim = await tx.get(claimRef);
  const claimant: unknown = claim.get('lead_id');
  if (typeof claimant === 'string' && claimant !== leadId) {
    const earlier = await tx.get(leads.doc(claimant));
    if (earlier.get('status') === 'accepted') return { duplicateOf: claimant };
  }
  const accepted = await tx.get(
    leads.where('email_normalized', '==', email).where('status', '==', 'accepted').limit(2),
  );
  const other = accepted.docs.find((doc) => doc.id !== leadId);
  if (other) return { duplicateOf: other.id };
  return { claim: { ref: claimRef, exists: claim.exists } };
}

function emailKey(normalized: string): string {
  return createHash('sha256').update(normalized).digest('hex');
}

function plausibleEmail(email: string): boolean {
  if (email.length > MAX_EMAIL_LENGTH || /\s/.test(email)) return false;
  const parts = email.split('@');
  if (parts.length !== 2) return false;
  const [local, domain] = parts;
  const labels = domain.split('.');
  // A Gmail local part of only dots or a +tag names no mailbox once normalised.
  return (
    local.length > 0 &&
    labels.length > 1 &&
    labels.every((label) => label.length > 0) &&
    !normalizeEmail(email).startsWith('@')
  );
}

function rejected(review_reason: string): Review {
  return { status: 'rejected', review_reason };
}

function logOutcome(log: Logger, leadId: string, outcome: ReviewOutcome): void {
  switch (outcome.outcome) {
    case 'accepted':
      return logs.leadAccepted(log, leadId);
    case 'rejected':
      return logs.leadRejected(log, leadId, outcome.review_reason);
    case 'queued':
      return logs.leadQueued(log, leadId);
    case 'already_reviewed':
      return logs.leadAlreadyReviewed(log, leadId, outcome.status);
    case 'missing':
      return logs.leadMissing(log, leadId);
  }
}
