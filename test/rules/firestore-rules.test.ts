// Firestore security rules, against the emulator: clients may only read weight_transactions, and
// only as admins or auditors; every other read and every client write is denied.
import { readFileSync } from 'node:fs';
import {
  assertFails,
  assertSucceeds,
  initializeTestEnvironment,
  type RulesTestContext,
  type RulesTestEnvironment,
  type TokenOptions,
} from '@firebase/rules-unit-testing';
import { setLogLevel } from 'firebase/firestore';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';

type Db = ReturnType<RulesTestContext['firestore']>;
type Actor = 'unauthenticated' | 'signed-in' | 'auditor' | 'admin';
type Operation = 'get' | 'list' | 'create' | 'update' | 'delete';

/** The ID token claims of each kind of client; null for a client that is not signed in. */
const ACTORS: Record<Actor, TokenOptions | null> = {
  unauthenticated: null,
  'signed-in': {},
  auditor: { auditor: true },
  admin: { admin: true },
};

/** Each operation on a seeded document; list queries and creates go to its collection. */
const OPERATIONS: Record<Operation, (db: Db, path: string) => Promise<unknown>> = {
  get: (db, path) => db.doc(path).get(),
  list: (db, path) => db.doc(path).parent.get(),
  create: (db, path) => db.doc(path).parent.add({ createdBy: 'a client' }),
  update: (db, path) => db.doc(path).update({ editedBy: 'a client' }),
  delete: (db, path) => db.doc(path).delete(),
};
const READS: readonly Operation[] = ['get', 'list'];

interface Target {
  /** A document seeded before the tests. */
  path: string;
  data: Record<string, unknown>;
  /** Who may read it; nobody may write anything. */
  readers: readonly Actor[];
}

const TARGETS: readonly Target[] = [
  {
    path: 'curated_leads/lead-1',
    data: { email: 'buyer@example.com', company: 'Example Ltd' },
    readers: [],
  },
  {
    path: 'sourced_leads/lead-1',
    data: { email: 'prospect@example.com', status: 'accepted' },
    readers: [],
  },
  {
    path: 'weight_transactions/tx-1',
    data: { netuid: 71, uids: [0, 1], weights: [40000, 25535], status: 'published' },
    readers: ['auditor', 'admin'],
  },
  { path: 'validator_state/publisher', data: { leaseHolder: 'instance-a', epoch: 3 }, readers: [] },
  { path: 'validator_state/publisher/requests/req-1', data: { state: 'pending' }, readers: [] },
  { path: 'unknown_collection/doc-1', data: { anything: true }, readers: [] },
];

const CASES = TARGETS.flatMap((target) =>
  (Object.keys(ACTORS) as Actor[]).flatMap((actor) =>
    (Object.keys(OPERATIONS) as Operation[]).map((operation) => {
      const allowed = READS.includes(operation) && target.readers.includes(actor);
      const title = `${actor} ${allowed ? 'can' : 'cannot'} ${operation}`;
      return { path: target.path, actor, operation, allowed, title };
    }),
  ),
);

const { hostname, port } = new URL(`http://${inject('firestoreEmulatorHost')}`);
let testEnv: RulesTestEnvironment;
const dbs = new Map<Actor, Db>();

/** One client per actor, for the whole file. */
function dbFor(actor: Actor): Db {
  let db = dbs.get(actor);
  if (db === undefined) {
    const claims = ACTORS[actor];
    const context =
      claims === null
        ? testEnv.unauthenticatedContext()
        : testEnv.authenticatedContext(`${actor}-user`, claims);
    db = context.firestore();
    dbs.set(actor, db);
  }
  return db;
}

beforeAll(async () => {
  // Denied requests are expected here: keep the client from logging each PERMISSION_DENIED.
  setLogLevel('error');
  testEnv = await initializeTestEnvironment({
    projectId: `demo-rules-${process.pid}`,
    firestore: {
      host: hostname,
      port: Number(port),
      rules: readFileSync(new URL('../../firestore.rules', import.meta.url), 'utf8'),
    },
  });
  // No test write is allowed, so the seed stays as it is for every case.
  await testEnv.withSecurityRulesDisabled(async (context) => {
    const db = context.firestore();
    await Promise.all(TARGETS.map((target) => db.doc(target.path).set(target.data)));
  });
});

afterAll(async () => {
  await testEnv.cleanup();
});

describe('firestore.rules', () => {
  for (const { path } of TARGETS) {
    describe(path, () => {
      for (const { actor, operation, allowed, title } of CASES.filter((c) => c.path === path)) {
        it(title, async () => {
          const request = OPERATIONS[operation](dbFor(actor), path);
          await (allowed ? assertSucceeds(request) : assertFails(request));
        });
      }
    });
  }

  // Only the boolean true grants access: a claim set to false, to a string or a number, or under
  // another name, does not.
  it.each<TokenOptions>([
    { admin: false },
    { auditor: false },
    { auditor: 'true' },
    { admin: 1 },
    { role: 'auditor' },
  ])('a user with claims %o cannot read weight_transactions', async (claims) => {
    const db = testEnv.authenticatedContext('claims-user', claims).firestore();
    await assertFails(db.doc('weight_transactions/tx-1').get());
    await assertFails(db.collection('weight_transactions').get());
  });

  it('an auditor can run a filtered query on weight_transactions', async () => {
    const query = dbFor('auditor').collection('weight_transactions').where('netuid', '==', 71);
    await assertSucceeds(query.get());
  });

  it('an admin cannot overwrite a weight transaction with set()', async () => {
    await assertFails(dbFor('admin').doc('weight_transactions/tx-1').set({ status: 'forged' }));
  });

  it('a collection-group query reaching validator_state subcollections is denied', async () => {
    await assertFails(dbFor('admin').collectionGroup('requests').get());
  });
});
