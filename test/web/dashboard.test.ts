// The dashboard as a person uses it: headless Chromium against the Hosting, Auth and Firestore
// emulators, over a weight history written by the real publish cycle on devnet. Each test leaves a
// screenshot in test-artifacts/web/, and ends with no Content-Security-Policy violation: the page
// is served with the headers of the repository's firebase.json.
import { readFileSync } from 'node:fs';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getAuth, type Auth } from 'firebase-admin/auth';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as weightsCli } from '../../functions/src/cli/main';
import { HEALTH_DEFAULTS } from '../../functions/src/health/config';
import { evaluateHealth, type ChainHealth } from '../../functions/src/health/evaluate';
import { transition, type HealthDoc } from '../../functions/src/health/incidents';
import { startTestChain, type TestChain } from '../support/devnet';
import { PAGE_SIZE } from '../../web/src/queries';
import {
  percent,
  shareChart,
  toAttempt,
  TOP_MINERS,
  u16Of,
  type Attempt,
} from '../../web/src/model';
import {
  chromiumPath,
  launchChromium,
  screenshot,
  seriousViolations,
  watchCsp,
} from './support/browser';
import { startWebEmulators, type WebEmulators } from './support/emulators';
import { writeHistory, type History } from './support/history';

const projectId = `demo-web-${process.pid}`;
const AUDITOR = { email: 'auditor@example.com', password: 'auditor-password' };
const VISITOR = { email: 'visitor@example.com', password: 'visitor-password' };
const DAY_MS = 86_400_000;

/** The headers firebase.json gives every page of the dashboard, by name. */
const HOSTING_HEADERS = new Map<string, string>(
  (
    JSON.parse(readFileSync(new URL('../../firebase.json', import.meta.url), 'utf8')) as {
      hosting: { headers: { source?: string; headers: { key: string; value: string }[] }[] };
    }
  ).hosting.headers
    .filter((rule) => rule.source === '**')
    .flatMap((rule) => rule.headers.map(({ key, value }) => [key, value] as const)),
);

let emulators: WebEmulators | undefined;
let chain: TestChain | undefined;
let app: App | undefined;
let db: Firestore;
let auth: Auth;
let history: History;
let browser: Browser | undefined;
let auditor: { context: BrowserContext; page: Page };

/** Every weight_transactions document, newest first, as the dashboard reads them. */
async function stored(): Promise<Attempt[]> {
  const snapshot = await db.collection('weight_transactions').orderBy('ts', 'desc').get();
  return snapshot.docs.map((d) => toAttempt(d.id, d.data()));
}

/**
 * Creates an account as a person signing up does (the Auth emulator's REST API): its address is
 * not verified. Without an email and password, an anonymous account. Returns its uid.
 */
async function signUp(credentials?: { email: string; password: string }): Promise<string> {
  const response = await fetch(
    `http://${emulators?.authHost}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake-api-key`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...credentials, returnSecureToken: true }),
    },
  );
  if (!response.ok)
    throw new Error(`signUp ${credentials?.email}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { localId: string }).localId;
}

/** Follows the link of the last verification email sent to this address, as its owner would. */
async function followVerificationLink(email: string) {
  const listed = await fetch(
    `http://${emulators?.authHost}/emulator/v1/projects/${projectId}/oobCodes`,
  ).then((r) => r.json() as Promise<{ oobCodes: OobCode[] }>);
  const sent = listed.oobCodes.filter((c) => c.email === email && c.requestType === 'VERIFY_EMAIL');
  const link = sent.at(-1)?.oobLink;
  if (!link) throw new Error(`no verification email was sent to ${email}`);
  const response = await fetch(link);
  expect(await response.text()).toContain('successfully verified');
}
interface OobCode {
  email: string;
  requestType: string;
  oobLink: string;
}

/** `weights users <action> <email>` against the Auth emulator: its exit code, stdout and stderr. */
async function users(email: string, action = 'grant-auditor') {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const text = (spy: typeof out) => spy.mock.calls.map((c) => String(c[0])).join('');
  try {
    const code = await weightsCli(['users', action, email], {
      ...process.env,
      FIREBASE_AUTH_EMULATOR_HOST: emulators?.authHost,
      GOOGLE_CLOUD_PROJECT: projectId,
    });
    return { code, output: text(out), errors: text(err) };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Content-Security-Policy violations reported by any page since the last test ended. */
const cspViolations: string[] = [];

async function signIn(page: Page, { email, password }: { email: string; password: string }) {
  await page.goto(emulators?.url ?? '');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function newPage(viewport = { width: 1280, height: 900 }, isMobile = false) {
  const context = await (browser as Browser).newContext({
    viewport,
    isMobile,
    hasTouch: isMobile,
    timezoneId: 'UTC',
    locale: 'en-GB',
  });
  await watchCsp(context, cspViolations);
  return { context, page: await context.newPage() };
}

/** Waits for the page to show it (Firestore snapshots arrive asynchronously). */
const eventually = <T>(read: () => Promise<T>) =>
  expect.poll(read, { timeout: 15_000, interval: 100 });
const oneLine = (text: string) => text.replace(/\s+/g, ' ');
/** What a locator shows, on one line. */
const shown = (locator: Locator) => locator.innerText().then(oneLine);
const table = (page: Page) => page.locator('table.attempts tbody tr[data-id]');
const rowIds = (page: Page) =>
  table(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));

/** Each auditor test starts from the unfiltered, newest page with no dialog open. */
async function resetView(page: Page) {
  if (await page.getByRole('dialog').isVisible()) await page.keyboard.press('Escape');
  await page.getByLabel('Failed only').uncheck();
  await page.getByLabel('Trigger').selectOption('');
  await page.getByLabel('Mode').selectOption('');
}

async function expectNoSeriousViolations(page: Page) {
  const violations = await seriousViolations(page);
  expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
}

beforeAll(async () => {
  chromiumPath(); // fails first, with how to install it, where there is no Chromium
  [emulators, chain] = await Promise.all([
    startWebEmulators(projectId),
    startTestChain({ runtime: 'hash-commit-reveal', finalityLag: 1 }),
  ]);
  // This file's Firestore and Auth are the ones the Hosting emulator's page talks to.
  process.env.FIRESTORE_EMULATOR_HOST = emulators.firestoreHost;
  process.env.FIREBASE_AUTH_EMULATOR_HOST = emulators.authHost;
  app = initializeApp({ projectId }, `web-${projectId}`);
  db = getFirestore(app);
  auth = getAuth(app);
  [history, browser] = await Promise.all([
    writeHistory(db, projectId, chain),
    launchChromium(),
    // The auditor's address is verified (as after the verification email); the visitor's is not.
    auth.createUser({ ...AUDITOR, emailVerified: true }).then(() => signUp(VISITOR)),
  ]).then(([h, b]) => [h, b] as const);
  const granted = await users(AUDITOR.email);
  expect(granted.code).toBe(0);
  expect(granted.output).toContain(`${AUDITOR.email} (uid `);
  auditor = await newPage();
  await signIn(auditor.page, AUDITOR);
}, 150_000);

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && auditor)
    await screenshot(auditor.page, `failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  // Every scenario runs under the policy: nothing it needs may have been blocked.
  expect(cspViolations.splice(0), 'Content-Security-Policy violations').toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await chain?.stop();
  if (app) {
    await db.terminate();
    await deleteApp(app);
  }
  await emulators?.stop();
}, 30_000);

describe('an auditor', () => {
  it('sees the status, the shares chart and the attempts table', async () => {
    const { page } = auditor;
    const docs = await stored();
    const last = docs[0];
    await eventually(() => page.locator('#last-attempt .pill').textContent()).toBe(last.status);
    const lastCard = await shown(page.locator('#last-attempt'));
    expect(lastCard).toContain(
      last.block_number === null ? 'no block' : `block #${last.block_number.toLocaleString('en')}`,
    );
    expect(lastCard).toContain(last.mode.replaceAll('_', ' '));

    // Success rate: sends that landed over sends (skips and rate-limited runs count for neither).
    const rate = (ms: number) => {
      const since = docs.filter((d) => d.ts.getTime() >= Date.now() - ms);
      const landed = since.filter((d) => d.success).length;
      const failed = since.filter((d) => d.status === 'failed').length;
      return `${Math.round((landed / (landed + failed)) * 100)}% ${landed} of ${landed + failed} sends landed`;
    };
    const rates = () => shown(page.locator('#success-rate'));
    await eventually(rates).toContain(`24 h ${rate(DAY_MS)}`);
    expect(await rates()).toContain(`7 days ${rate(7 * DAY_MS)}`);

    const next = docs.find((d) => d.next_allowed_block !== undefined);
    expect(await page.locator('#next-allowed').innerText()).toContain(
      `#${next?.next_allowed_block?.toLocaleString('en')}`,
    );
    // The last run committed (hash scheme) and nothing revealed it yet.
    const open = docs.find((d) => d.mode === 'commit' && d.success);
    expect(open?.reveal_status).toBeUndefined();
    const commitCard = await shown(page.locator('#open-commit'));
    expect(commitCard).toContain(`commit #${open?.block_number?.toLocaleString('en')}`);
    expect(commitCard).toContain(`reveal window blocks #${open?.first_reveal_block}`);

    const scoring = docs.find((d) => d.leads)?.leads;
    const leads = await shown(page.locator('#leads'));
    expect(leads).toContain(`${scoring?.counted} counted`);
    expect(leads).toContain('missing source 1');
    expect(leads).toContain('invalid curated by 1');

    // The chart: a line per top miner and one for the others; hovering the newest publish shows
    // each share and u16 value exactly as stored.
    const chart = shareChart(docs, TOP_MINERS);
    const legend = page.locator('#shares-chart .u-legend .u-series');
    await eventually(() => legend.count()).toBe(chart.series.length + 1);
    expect(chart.series.at(-1)?.key).toBe('others');
    const plot = await page.locator('#shares-chart .u-over').boundingBox();
    if (!plot) throw new Error('no plot area');
    await page.mouse.move(plot.x + plot.width - 1, plot.y + plot.height / 2);
    const newest = chart.attempts.at(-1) as Attempt;
    const values = await page.locator('#shares-chart .u-legend .u-value').allInnerTexts();
    for (const series of chart.series.filter((s) => s.key !== 'others')) {
      const uid = Number(
        Object.keys(newest.uid_hotkeys).find((u) => newest.uid_hotkeys[u] === series.key),
      );
      const share = newest.weights[String(uid)] ?? 0;
      expect(values).toContain(`${percent(share)} · u16 ${u16Of(newest, uid)}`);
    }

    // docs/dashboard.png is this one: the status and the chart, hovered at the newest publish.
    await screenshot(page, 'readme-dashboard', page.locator('#shares'));

    // From the keyboard: the chart takes focus, End goes to the newest publish and says it.
    await page.locator('#shares-chart .chart-frame').focus();
    await page.keyboard.press('End');
    const readout = await page.locator('#shares-chart .chart-readout').textContent();
    const [topKey] = chart.series.map((s) => s.key);
    const topUid = Number(
      Object.keys(newest.uid_hotkeys).find((u) => newest.uid_hotkeys[u] === topKey),
    );
    expect(readout).toContain(`block #${newest.block_number}:`);
    expect(readout).toContain(
      `${percent(newest.weights[String(topUid)])} (u16 ${u16Of(newest, topUid)})`,
    );

    // The table: one page, newest first, and the next page through a Firestore cursor.
    await eventually(() => rowIds(page)).toEqual(docs.slice(0, PAGE_SIZE).map((d) => d.id));
    await screenshot(page, '01-auditor-dashboard');
    await page.getByRole('button', { name: 'Older →' }).click();
    await expect
      .poll(() => rowIds(page))
      .toEqual(docs.slice(PAGE_SIZE, 2 * PAGE_SIZE).map((d) => d.id));
    await page.getByRole('button', { name: 'Newest' }).click();
    await eventually(() => rowIds(page)).toEqual(docs.slice(0, PAGE_SIZE).map((d) => d.id));
  });

  it('filters failed attempts and opens one, by keyboard, to see why it failed', async () => {
    const { page } = auditor;
    await resetView(page);
    const failed = (await stored()).filter((d) => !d.success);
    await page.getByLabel('Failed only').check();
    await eventually(() => rowIds(page)).toEqual(failed.slice(0, PAGE_SIZE).map((d) => d.id));
    const refused = failed.find((d) => d.status === 'failed') as Attempt;
    expect(refused.error_code).toBeTruthy();

    // Tab to the refused attempt's row and press Enter: the detail opens; Escape closes it.
    const row = page.locator(`tr[data-id="${refused.id}"] button`);
    await row.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await eventually(() => dialog.isVisible()).toBe(true);
    const text = await shown(dialog);
    expect(text).toContain(refused.error_code);
    expect(text).toContain(refused.error_message);
    await screenshot(page, '02-failed-attempt-detail', 'viewport');
    await expectNoSeriousViolations(page);
    await page.keyboard.press('Escape');
    await eventually(() => dialog.isVisible()).toBe(false);
  });

  it('follows a reveal to its commit, with the uids, u16 weights and transaction hash', async () => {
    const { page } = auditor;
    await resetView(page);
    const docs = await stored();
    const reveal = docs.find((d) => d.mode === 'reveal') as Attempt;
    const commit = docs.find((d) => d.id === reveal.commit_transaction) as Attempt;
    await page.getByLabel('Mode').selectOption('reveal');
    await eventually(() => rowIds(page)).toEqual([reveal.id]);
    await table(page).first().click();
    const dialog = page.getByRole('dialog');
    await eventually(() => shown(dialog)).toContain('Reveals commit');
    await dialog.getByRole('button', { name: commit.id }).click();
    await eventually(() => shown(dialog)).toContain(`Revealed by ${reveal.id}`);
    const text = await shown(dialog);
    expect(text).toContain(`revealed at block #${reveal.block_number?.toLocaleString('en')}`);
    expect(text).toContain(commit.transaction_hash);
    const sent = await dialog.locator('table.sent tbody tr').allInnerTexts();
    expect(sent.map((r) => r.split('\t').map((c) => c.trim()))).toEqual(
      commit.uids.map((uid, i) => [
        String(uid),
        commit.uid_hotkeys[String(uid)] ?? '—',
        percent(commit.weights[String(uid)] ?? 0, 4),
        String(commit.weights_u16[i]),
      ]),
    );
    expect(text.toLowerCase()).toContain('unregistered hotkeys (1)');
    await screenshot(page, '03-commit-detail', 'viewport');
  });

  it('sees a new publish arrive without reloading', async () => {
    const { page } = auditor;
    await resetView(page);
    await eventually(async () => (await rowIds(page)).length).toBe(PAGE_SIZE);
    const before = await rowIds(page);
    await history.reachRevealWindow();
    const outcome = await history.publishNow('curated_lead');
    expect(outcome.result).toMatchObject({ status: 'included', mode: 'commit' });
    expect(outcome.followUps.map((f) => f.outcome)).toEqual(['revealed']);
    const docs = await stored();
    await eventually(() => rowIds(page)).toEqual(docs.slice(0, PAGE_SIZE).map((d) => d.id));
    expect((await rowIds(page))[0]).toBe(outcome.record.id);
    expect(before).not.toContain(outcome.record.id);
    expect(await page.locator('tr.fresh').count()).toBe(2); // the reveal and the new commit
    await eventually(() => page.locator('#announcer').textContent()).toContain('Attempt included');
    expect(await page.locator('#last-attempt').innerText()).toContain(
      `#${outcome.result.block_number?.toLocaleString('en')}`,
    );
    await screenshot(page, '04-live-publish');
  });

  it('reads the dashboard on a 375 px phone without sideways scrolling', async () => {
    const { context, page } = await newPage({ width: 375, height: 812 }, true);
    try {
      await signIn(page, AUDITOR);
      await eventually(async () => (await rowIds(page)).length).toBe(PAGE_SIZE);
      await page.locator('#shares-chart canvas').waitFor();
      const overflow = () =>
        page.evaluate(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        );
      expect(await overflow()).toBe(0);
      await eventually(() => shown(page.locator('#success-rate'))).toContain('sends landed');
      await screenshot(page, '05-phone-375');
      await screenshot(page, '05-phone-375-first-screen', 'viewport');
      await table(page).first().locator('button').click();
      await page.getByRole('dialog').waitFor();
      expect(
        await page.evaluate(
          '(() => { const d = document.querySelector("dialog[open]"); return d.scrollWidth - d.clientWidth; })()',
        ),
      ).toBe(0);
      expect(await overflow()).toBe(0);
      await screenshot(page, '06-phone-375-detail', 'viewport');
    } finally {
      await context.close();
    }
  });

  it('has no serious or critical accessibility violations (axe-core)', async () => {
    await expectNoSeriousViolations(auditor.page);
    const { context, page } = await newPage();
    try {
      await page.goto(emulators?.url ?? '');
      await page.getByLabel('Email').waitFor();
      await expectNoSeriousViolations(page);
      await screenshot(page, '07-sign-in');
    } finally {
      await context.close();
    }
  });
});

describe('the weight-health banner', () => {
  const chainValidator = () => (chain as TestChain).alice.address;
  /** What the hourly check stores for these chain findings (the real verdict and incident rule). */
  async function storeHealth(chain: Partial<ChainHealth>, previous?: HealthDoc) {
    const evaluation = evaluateHealth(
      {
        netuid: 401,
        endpoint: 'wss://node.example',
        nowMs: Date.now(),
        trail: { validator: chainValidator(), failures: [], unresolved: [] },
        chain: {
          block: 9000,
          blockSeconds: 12,
          uid: 0,
          lastUpdate: 8990,
          activityCutoff: 5000,
          permit: true,
          commitReveal: true,
          commits: [],
          missing: [],
          ...chain,
        },
      },
      HEALTH_DEFAULTS,
    );
    const { doc } = transition(previous, evaluation, HEALTH_DEFAULTS);
    await db.doc('validator_state/health').set(JSON.parse(JSON.stringify(doc)));
    return doc;
  }

  it('appears while health is not ok, says what and what to do, and clears', async () => {
    const { page } = auditor;
    const banner = page.locator('#health');
    expect(await banner.isVisible()).toBe(false);
    const critical = await storeHealth({ permit: false, lastUpdate: 5000 });
    await eventually(() => banner.isVisible()).toBe(true);
    const text = await shown(banner);
    expect(text).toContain('Weights at risk: critical since');
    expect(text).toContain('no validator permit: The validator (uid 0) holds no validator permit');
    expect(text).toContain('last update stale: LastUpdate is 4000 blocks old');
    expect(text).toContain('What to do: raise the stake behind the hotkey');
    expect(text).toContain(`Incident ${critical.incident?.id}.`);
    expect(await banner.getAttribute('role')).toBe('alert');
    await screenshot(page, 'health-banner');
    await expectNoSeriousViolations(page);

    await storeHealth({}, critical);
    await eventually(() => banner.isVisible()).toBe(false);
  });
});

describe('a signed-in user without the auditor claim', () => {
  it('is refused until their address is verified and they are granted, and told so', async () => {
    const { context, page } = await newPage();
    try {
      // The visitor signed up with a password: the address is not verified yet.
      await signIn(page, VISITOR);
      await page.getByRole('heading', { name: 'Not authorised' }).waitFor();
      expect(await page.locator('.denied-code').textContent()).toBe('permission-denied');
      expect(await page.locator('table.attempts, #shares-chart, #status-cards').count()).toBe(0);
      const html = await page.content();
      for (const miner of history.miners) expect(html).not.toContain(miner.address);
      const denied = () => shown(page.locator('.denied'));
      expect(await denied()).toContain('Your email address is not verified.');
      expect(await denied()).toContain(`npx weights users grant-auditor ${VISITOR.email}`);
      await expectNoSeriousViolations(page);
      await screenshot(page, '08-not-authorised');

      // The operator's grant is refused while the address is unverified.
      const refused = await users(VISITOR.email);
      expect(refused.code).toBe(1);
      expect(refused.errors).toContain('has not verified this email address. Not granted');
      expect((await auth.getUserByEmail(VISITOR.email)).customClaims).toBeUndefined();

      // The visitor has the verification email sent and follows its link; "Check again" reloads
      // the account: verified, but without the role, still refused, and told whom to ask.
      await page.getByRole('button', { name: 'Send verification email' }).click();
      await eventually(() => shown(page.locator('.verify-status'))).toContain(
        `Sent to ${VISITOR.email}.`,
      );
      await followVerificationLink(VISITOR.email);
      await page.getByRole('button', { name: 'Check again' }).click();
      await eventually(denied).not.toContain('not verified');
      expect(await denied()).toContain(
        `An operator can grant the role with npx weights users grant-auditor ${VISITOR.email}`,
      );

      // Granted, "Check again" refreshes the ID token and the history appears.
      expect((await users(VISITOR.email)).code).toBe(0);
      await page.getByRole('button', { name: 'Check again' }).click();
      await eventually(async () => (await rowIds(page)).length).toBe(PAGE_SIZE);
      expect((await users(VISITOR.email, 'revoke-auditor')).output).toContain(
        'is no longer an auditor',
      );
    } finally {
      await context.close();
    }
  });
});

describe('weights users, against the Auth emulator', () => {
  const claimsOf = async (uid: string) => (await auth.getUser(uid)).customClaims;

  it('refuses an address nobody signed up with', async () => {
    const refused = await users('nobody@example.com');
    expect(refused).toMatchObject({ code: 1, output: '' });
    expect(refused.errors).toContain('no user with email nobody@example.com');
  });

  it('refuses an unverified address, saying what to do, and grants it once verified', async () => {
    // Anyone can sign up with a colleague's address; it stays unverified.
    const email = 'colleague@example.com';
    const uid = await signUp({ email, password: 'someone-else' });
    const refused = await users(email);
    expect(refused).toMatchObject({ code: 1, output: '' });
    expect(refused.errors).toContain(
      `weights: ${email} (uid ${uid}) has not verified this email address. Not granted`,
    );
    for (const advice of ['verification email', 'Google', 'emailVerified: true'])
      expect(refused.errors).toContain(advice);
    expect(await claimsOf(uid)).toBeUndefined();

    await auth.updateUser(uid, { emailVerified: true }); // the owner followed the link
    const granted = await users(email);
    expect(granted.code).toBe(0);
    expect(granted.output).toContain(`${email} (uid ${uid}) may now read the weight history`);
    expect(await claimsOf(uid)).toEqual({ auditor: true });
  });

  it('refuses an anonymous account, even with a verified address set by the Admin SDK', async () => {
    const uid = await signUp();
    await auth.updateUser(uid, { email: 'anonymous@example.com', emailVerified: true });
    const refused = await users('anonymous@example.com');
    expect(refused).toMatchObject({ code: 1, output: '' });
    expect(refused.errors).toContain('has no sign-in provider: an anonymous account');
    expect(await claimsOf(uid)).toBeUndefined();
  });

  it('grants a verified user and revokes, keeping their other claims', async () => {
    const { uid } = await auth.createUser({
      email: 'admin@example.com',
      password: 'admin-password',
      emailVerified: true,
    });
    await auth.setCustomUserClaims(uid, { admin: true });
    expect((await users('admin@example.com')).code).toBe(0);
    expect(await claimsOf(uid)).toEqual({ admin: true, auditor: true });
    const revoked = await users('admin@example.com', 'revoke-auditor');
    expect(revoked.output).toContain('is no longer an auditor (still an admin)');
    expect(await claimsOf(uid)).toEqual({ admin: true });
  });

  it('revokes from an unverified user (granted before grants asked for a verified address)', async () => {
    const uid = await signUp({ email: 'lapsed@example.com', password: 'lapsed-password' });
    await auth.setCustomUserClaims(uid, { auditor: true });
    const revoked = await users('lapsed@example.com', 'revoke-auditor');
    expect(revoked).toMatchObject({ code: 0, errors: '' });
    expect(await claimsOf(uid)).toEqual({});
  });
});

describe('the hosting headers', () => {
  it('serve the page with the Content-Security-Policy and HSTS of firebase.json, in force', async () => {
    const policy = HOSTING_HEADERS.get('Content-Security-Policy') ?? '';
    const directives = new Map(
      policy.split(';').map((d) => {
        const [name, ...sources] = d.trim().split(/\s+/);
        return [name, sources.join(' ')] as const;
      }),
    );
    expect(Object.fromEntries(directives)).toMatchObject({
      'script-src': "'self'",
      'style-src': "'self'",
      'object-src': "'none'",
      'base-uri': "'self'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
    });
    expect(policy).not.toMatch(/unsafe-(inline|eval)/);
    expect(HOSTING_HEADERS.get('Strict-Transport-Security')).toMatch(
      /^max-age=(31536000|63072000); includeSubDomains/,
    );

    const { context, page } = await newPage();
    try {
      const response = await page.goto(emulators?.url ?? '');
      const headers = response?.headers() ?? {};
      for (const [name, value] of HOSTING_HEADERS)
        expect(headers[name.toLowerCase()], name).toBe(value);
      await page.getByLabel('Email').waitFor();

      // The policy is in force, and a violation is seen: a request to a host it does not list.
      await page.evaluate(`fetch('https://example.com/csp-probe').catch(() => {})`);
      await eventually(async () => cspViolations.join('\n')).toContain(
        'connect-src blocked https://example.com/csp-probe',
      );
      expect(cspViolations.some((v) => v.startsWith('console: ') && v.includes('csp-probe'))).toBe(
        true,
      );
      cspViolations.splice(0);
    } finally {
      await context.close();
    }
  });
});
