// Firestore security rules, against the emulator: clients may only read weight_transactions, and
// only as admins or auditors with a verified email address who did not sign in anonymously; every
// other read and every client write is denied.
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

type Provider = 'password' | 'google.com' | 'anonymous' | 'custom';

/**
 * What Firebase Auth puts in the ID token of a user who signed in with this provider, their email
 * address verified or not (an anonymous user has no address unless the Admin SDK gave one).
 */
function signedIn(provider: Provider, emailVerified: boolean): TokenOptions {
  return {
    email: 'someone@example.com',
    email_verified: emailVerified,
    ...(provider === 'anonymous' && { provider_id: 'anonymous' }),
    firebase: { sign_in_provider: provider, identities: { email: ['someone@example.com'] } },
  };
}
const VERIFIED = signedIn('password', true);
/** Tokens with no email address at all. */
const ANONYMOUS: TokenOptions = {
  provider_id: 'anonymous',
  firebase: { sign_in_provider: 'anonymous', identities: {} },
};
const PHONE: TokenOptions = {
  phone_number: '+15555550100',
  firebase: { sign_in_provider: 'phone', identities: { phone: ['+15555550100'] } },
};

/** The ID token claims of each kind of client; null for a client that is not signed in. */
const ACTORS: Record<Actor, TokenOptions | null> = {
  unauthenticated: null,
  'signed-in': VERIFIED,
  auditor: { ...VERIFIED, auditor: true },
  admin: { ...VERIFIED, admin: true },
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
  /** Only the document may be read, not a list of its collection (which holds others). */
  getOnly?: boolean;
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
  // The weight-health verdict: the dashboard's banner reads it; nothing under it, nothing beside it.
  {
    path: 'validator_state/health',
    data: { status: 'warning', incident: null },
    readers: ['auditor', 'admin'],
    getOnly: true,
  },
  { path: 'validator_state/health/more/doc-1', data: { anything: true }, readers: [] },
  { path: 'unknown_collection/doc-1', data: { anything: true }, readers: [] },
];

const CASES = TARGETS.flatMap((target) =>
  (Object.keys(ACTORS) as Actor[]).flatMap((actor) =>
    (Object.keys(OPERATIONS) as Operation[]).map((operation) => {
      const allowed =
        (target.getOnly ? operation === 'get' : READS.includes(operation)) &&
        target.readers.includes(actor);
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

/** A get and a list of weight_transactions by a new client with this token: both allowed or both denied. */
async function expectRead(token: TokenOptions, allowed: boolean) {
  const db = testEnv.authenticatedContext(`user-${++users}`, token).firestore();
  const expectation = allowed ? assertSucceeds : assertFails;
  await expectation(db.doc('weight_transactions/tx-1').get());
  await expectation(db.collection('weight_transactions').get());
}
let users = 0;

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
  // another name, does not, even with a verified address.
  it.each<TokenOptions>([
    { admin: false },
    { auditor: false },
    { auditor: 'true' },
    { auditor: 1 },
    { admin: 'true' },
    { admin: 1 },
    { role: 'auditor' },
  ])('a verified user with claims %o cannot read weight_transactions', async (claims) => {
    await expectRead({ ...VERIFIED, ...claims }, false);
  });

  // The claim is not enough: the email address must be verified (anyone can sign up with a
  // colleague's), and the sign-in must not be anonymous. A custom token is minted by the project's
  // own back end, with its service account: like any other provider.
  const ACCEPTED: Record<string, TokenOptions> = {
    'password, email verified': VERIFIED,
    'google.com, email verified': signedIn('google.com', true),
    'a custom token, email verified': signedIn('custom', true),
  };
  const REFUSED: Record<string, TokenOptions> = {
    'password, email not verified': signedIn('password', false),
    'google.com, email not verified': signedIn('google.com', false),
    'anonymous, email verified (set with the Admin SDK)': signedIn('anonymous', true),
    'anonymous, no email': ANONYMOUS,
    'phone, no email': PHONE,
    'password, email_verified "true" (a string)': {
      ...VERIFIED,
      email_verified: 'true' as unknown as boolean,
    },
    'password, no email_verified in the token': {
      email: VERIFIED.email,
      firebase: VERIFIED.firebase,
    },
  };
  describe.each(['auditor', 'admin'] as const)('a user with %s: true', (claim) => {
    it.each(Object.entries(ACCEPTED))('can read when signed in with %s', async (_, token) => {
      await expectRead({ ...token, [claim]: true }, true);
    });
    it.each(Object.entries(REFUSED))('cannot read when signed in with %s', async (_, token) => {
      await expectRead({ ...token, [claim]: true }, false);
    });
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
