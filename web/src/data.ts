/** The Firestore side: specs from queries.ts become queries; snapshots become Attempts. */
import {
  collection,
  doc,
  getCountFromServer,
  getDoc,
  getDocs,
  limit,
  onSnapshot,
  orderBy,
  query,
  startAfter,
  Timestamp,
  where,
  type DocumentSnapshot,
  type Firestore,
  type FirestoreError,
  type Query,
  type QueryConstraint,
  type QuerySnapshot,
} from 'firebase/firestore';
import { toAttempt, type Attempt, type Counts } from './model';
import * as q from './queries';

export function build(db: Firestore, spec: q.QuerySpec, after?: DocumentSnapshot): Query {
  const constraints: QueryConstraint[] = spec.equal.map(({ field, op, value }) =>
    where(field, op, value),
  );
  if (spec.since) constraints.push(where('ts', '>=', Timestamp.fromDate(spec.since)));
  if (spec.ordered) constraints.push(orderBy('ts', 'desc'));
  if (after) constraints.push(startAfter(after));
  if (spec.limit !== undefined) constraints.push(limit(spec.limit));
  return query(collection(db, q.COLLECTION), ...constraints);
}

export const attemptsOf = (snapshot: QuerySnapshot) =>
  snapshot.docs.map((d) => toAttempt(d.id, d.data()));

export function watch(
  db: Firestore,
  spec: q.QuerySpec,
  next: (snapshot: QuerySnapshot) => void,
  error: (e: FirestoreError) => void,
): () => void {
  return onSnapshot(build(db, spec), next, error);
}

export async function page(db: Firestore, spec: q.QuerySpec, after: DocumentSnapshot) {
  return getDocs(build(db, spec, after));
}

export async function attempt(db: Firestore, id: string): Promise<Attempt | undefined> {
  const snapshot = await getDoc(doc(db, q.COLLECTION, id));
  return snapshot.exists() ? toAttempt(snapshot.id, snapshot.data()) : undefined;
}

export async function revealOf(db: Firestore, commitId: string): Promise<Attempt | undefined> {
  const [first] = attemptsOf(await getDocs(build(db, q.revealOf(commitId))));
  return first;
}

export async function counts(db: Firestore, since: Date): Promise<Counts> {
  const specs = q.counts(since);
  const [total, landed, failed] = await Promise.all(
    [specs.total, specs.landed, specs.failed].map(
      async (spec) => (await getCountFromServer(build(db, spec))).data().count,
    ),
  );
  return { total, landed, failed };
}
