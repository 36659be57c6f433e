// The dashboard against records that are hostile or malformed (issue 20): 10 KB unbroken strings
// in every text field, bidi controls, NaN, nested maps where text is expected, timestamps of the
// wrong type. Headless Chromium against the Hosting, Auth and Firestore emulators, the records
// written with the Admin SDK (no security rules apply to it). Nothing scrolls sideways at 375 px
// or on a desktop, a malformed record is shown as malformed and the rest of the page still is,
// record text cannot reorder the text around it, the chart's axis labels are readable and apart
// at every width, and a wrong password is answered in plain words. Screenshots go to
// test-artifacts/web/hostile-*.png; every test ends with no Content-Security-Policy violation.
import { join } from 'node:path';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getAuth, type Auth } from 'firebase-admin/auth';
import { getFirestore, Timestamp, type Firestore } from 'firebase-admin/firestore';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { brief } from '../../web/src/format';
import { problemSummary, recordProblems, toAttempt } from '../../web/src/model';
import {
  ARTIFACTS,
  chromiumPath,
  drawnText,
  launchChromium,
  recordCanvasText,
  screenshot,
  seriousViolations,
  watchCsp,
  type DrawnText,
} from './support/browser';
import { startWebEmulators, type WebEmulators } from './support/emulators';

const projectId = `demo-web-hostile-${process.pid}`;
const AUDITOR = { email: 'auditor@example.com', password: 'auditor-password' };
const DISABLED = { email: 'disabled@example.com', password: 'disabled-password' };
const HOUR_MS = 3_600_000;
const NOW = Date.now();

/** 10 KB without a break opportunity, of letters and of hex digits. */
const LONG = 'W'.repeat(10_000);
const LONG_HEX = `0x${'f'.repeat(10_000)}`;
/** As long as a map key may be: a field path is at most 1,500 bytes. */
const LONG_KEY = 'K'.repeat(1_400);
/** Right-to-left override (U+202E) left open: unisolated, it would reverse what follows it. */
const RLO = '\u202E';

const at = (hoursAgo: number) => Timestamp.fromMillis(NOW - hoursAgo * HOUR_MS);
const HOTKEYS = [
  '5Hotkey-one-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  `${RLO}5Hotkey-two-bidi`,
  'hk-3',
];

/** A landed set_weights publish, as transactionDocument writes one. */
function publish(hoursAgo: number, shares: number[], block: number): Record<string, unknown> {
  const uids = shares.map((_, i) => i + 1);
  return {
    ts: at(hoursAgo),
    status: 'included',
    success: true,
    iteration_count: block,
    netuid: 71,
    network: 'devnet',
    mode: 'set_weights',
    validator_hotkey: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
    validator_uid: 0,
    block_number: block,
    block_hash: `0x${'ab'.repeat(32)}`,
    transaction_hash: `0x${'cd'.repeat(32)}`,
    extrinsic_index: 1,
    uids,
    weights: Object.fromEntries(uids.map((uid, i) => [String(uid), shares[i]])),
    weights_u16: shares.map((s) => Math.round(s * 65_535)),
    uid_hotkeys: Object.fromEntries(uids.map((uid, i) => [String(uid), HOTKEYS[i]])),
    unregistered_hotkeys: [],
    reassigned_uids: [],
    error_code: null,
    error_message: null,
    next_allowed_block: block + 10,
    eta_seconds: 120,
    attempts: 1,
    version_key: '0',
    spec_version: 264,
    num_miners: 3,
    trigger: 'schedule',
    trigger_ref: null,
    leads: { read: 3, counted: 3, skipped: {} },
    durations: { run_ms: 900 },
  };
}

/** A record without these fields (as an older record, or a run that learnt nothing of them). */
function without(fields: Record<string, unknown>, ...names: string[]) {
  return Object.fromEntries(Object.entries(fields).filter(([name]) => !names.includes(name)));
}

/** A failed run: no block, and nothing known of the next allowed block. */
const failedRun = (hoursAgo: number, shares: number[]) =>
  without(publish(hoursAgo, shares, 0), 'next_allowed_block', 'eta_seconds');

/** Well-formed, and as hostile as a record can be while well-formed: shown in full. */
const HOSTILE: Record<string, Record<string, unknown>> = {
  // The newest: the last attempt, the context line and the leads card read it.
  'hostile-long': {
    ...failedRun(1, [0.5, 0.5]),
    status: 'failed',
    success: false,
    network: LONG,
    validator_hotkey: LONG,
    block_number: null,
    block_hash: null,
    transaction_hash: LONG_HEX,
    extrinsic_index: null,
    uid_hotkeys: { 1: LONG, 2: LONG_HEX },
    unregistered_hotkeys: [LONG],
    error_code: LONG,
    error_message: `${LONG} ${LONG_HEX}`,
    retryable: false,
    version_key: LONG,
    trigger_ref: LONG,
    leads: { read: 3, counted: 1, skipped: { [LONG_KEY]: 2 } },
    durations: { [LONG_KEY]: 5 },
  },
  // A commit waiting for its reveal (its card shows the drand round), and the last that landed.
  'hostile-commit': {
    ...without(publish(1.5, [], 700), 'next_allowed_block', 'eta_seconds'),
    mode: 'commit',
    reveal_round: LONG,
    first_reveal_block: 710,
    last_reveal_block: 720,
    reveal_epoch: LONG.length,
  },
  'hostile-bidi': {
    ...failedRun(3, []),
    status: 'failed',
    success: false,
    block_number: null,
    error_code: `Bad${RLO}Code`,
    error_message: `${RLO}this text is reversed`,
  },
};

/** Records the publisher would never write. */
const MALFORMED: Record<string, Record<string, unknown>> = {
  'malformed-types': {
    ...publish(4, [0.2, 0.8], 650),
    mode: { evil: true },
    network: { nested: 'object' },
    block_number: 'NaN',
    uids: [{ nested: { deeper: 1 } }, 2],
    weights: { 1: Number.NaN, 2: 0.8 },
  },
  'malformed-status': {
    ...publish(5, [], 640),
    status: `${LONG}${RLO}`,
    success: 'yes',
    trigger: ['cli'],
  },
  // ts is a number: Firestore orders it after every timestamp, on the table's last row.
  'malformed-ts': { ...publish(6, [0.3, 0.7], 630), ts: Number.NaN },
};

const PUBLISHES: Record<string, Record<string, unknown>> = {
  'publish-1': publish(50, [0.6, 0.3, 0.1], 100),
  'publish-2': publish(38, [0.5, 0.3, 0.2], 200),
  'publish-3': publish(26, [0.4, 0.4, 0.2], 300),
  'publish-4': publish(14, [0.3, 0.5, 0.2], 400),
  'publish-5': publish(2, [0.2, 0.6, 0.2], 500),
};

/** The table, newest first, as Firestore orders ts: timestamps newest first, then the number. */
const ORDER = [
  'hostile-long',
  'hostile-commit',
  'publish-5',
  'hostile-bidi',
  'malformed-types',
  'malformed-status',
  'publish-4',
  'publish-3',
  'publish-2',
  'publish-1',
  'malformed-ts',
];

let emulators: WebEmulators | undefined;
let app: App | undefined;
let db: Firestore;
let auth: Auth;
let browser: Browser | undefined;
let desktop: { context: BrowserContext; page: Page };
const cspViolations: string[] = [];

async function newPage(viewport: { width: number; height: number }, isMobile = false) {
  const context = await (browser as Browser).newContext({
    viewport,
    isMobile,
    hasTouch: isMobile,
    // Not UTC: the page shows UTC whatever the viewer's zone.
    timezoneId: 'America/New_York',
    locale: 'en-US',
  });
  await watchCsp(context, cspViolations);
  await recordCanvasText(context);
  return { context, page: await context.newPage() };
}

async function signIn(page: Page, { email, password }: { email: string; password: string }) {
  await page.goto(emulators?.url ?? '');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const eventually = <T>(read: () => Promise<T>) =>
  expect.poll(read, { timeout: 15_000, interval: 100 });
const rowIds = (page: Page) =>
  page
    .locator('table.attempts tbody tr[data-id]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
const row = (page: Page, id: string) => page.locator(`table.attempts tr[data-id="${id}"]`);

/** How far the page scrolls sideways (0: not at all), and what sticks out, to say why. */
async function sideways(page: Page): Promise<{ overflow: number; offenders: string[] }> {
  // In-page code reaches the document through an element: this project's tsconfig has no DOM.
  return page.locator('html').evaluate((root) => {
    const width = root.clientWidth;
    const offenders = [...root.ownerDocument.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5)
      .filter((el) => !el.closest('.chart')) // clipped by the chart's frame, by design
      .slice(0, 5)
      .map(
        (el) => `${el.tagName.toLowerCase()}.${el.className} ${el.getBoundingClientRect().right}`,
      );
    return { overflow: root.scrollWidth - width, offenders };
  });
}

async function expectNoSidewaysScroll(page: Page, where: string) {
  const { overflow, offenders } = await sideways(page);
  expect(overflow, `${where}: scrolls sideways by ${overflow} px: ${offenders.join(', ')}`).toBe(0);
}

/** The open dialog scrolls only vertically, and the page behind it not at all. */
async function expectDialogFits(page: Page, where: string) {
  const dialog = await page.locator('dialog[open]').evaluate((d) => d.scrollWidth - d.clientWidth);
  expect(dialog, `${where}: the dialog scrolls sideways`).toBe(0);
  await expectNoSidewaysScroll(page, where);
}

async function openDetail(page: Page, id: string) {
  await row(page, id).locator('button.link').click();
  await page.getByRole('dialog').waitFor();
}

async function closeDetail(page: Page) {
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
}

/** Waits for the whole page: every row, the chart, the rates. */
async function dashboardShown(page: Page) {
  await eventually(() => rowIds(page)).toEqual(ORDER);
  await page.locator('#shares-chart canvas').waitFor();
  await eventually(() => page.locator('#success-rate').innerText()).toContain('sends landed');
}

beforeAll(async () => {
  chromiumPath();
  emulators = await startWebEmulators(projectId);
  process.env.FIRESTORE_EMULATOR_HOST = emulators.firestoreHost;
  process.env.FIREBASE_AUTH_EMULATOR_HOST = emulators.authHost;
  app = initializeApp({ projectId }, `web-hostile-${projectId}`);
  db = getFirestore(app);
  auth = getAuth(app);
  const records = { ...PUBLISHES, ...HOSTILE, ...MALFORMED };
  const batch = db.batch();
  for (const [id, fields] of Object.entries(records))
    batch.set(db.collection('weight_transactions').doc(id), fields);
  const [, auditor, disabled, launched] = await Promise.all([
    batch.commit(),
    auth.createUser({ ...AUDITOR, emailVerified: true }),
    auth.createUser({ ...DISABLED, emailVerified: true, disabled: true }),
    launchChromium(),
  ]);
  browser = launched;
  await auth.setCustomUserClaims(auditor.uid, { auditor: true });
  await auth.setCustomUserClaims(disabled.uid, { auditor: true });
  desktop = await newPage({ width: 1280, height: 900 });
  await signIn(desktop.page, AUDITOR);
}, 150_000);

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && desktop)
    await screenshot(desktop.page, `hostile-failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  expect(cspViolations.splice(0), 'Content-Security-Policy violations').toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  if (app) {
    await db.terminate();
    await deleteApp(app);
  }
  await emulators?.stop();
}, 30_000);

describe('the seeded records', () => {
  it('are what the test means: the hostile ones well-formed, the others malformed', () => {
    for (const [id, fields] of Object.entries({ ...PUBLISHES, ...HOSTILE }))
      expect(recordProblems(id, fields), id).toEqual([]);
    for (const [id, fields] of Object.entries(MALFORMED))
      expect(recordProblems(id, fields), id).not.toEqual([]);
  });
});

describe('hostile and malformed records', () => {
  for (const [name, viewport, isMobile] of [
    ['375 px phone', { width: 375, height: 812 }, true],
    ['1280 px desktop', { width: 1280, height: 900 }, false],
  ] as const) {
    it(`on a ${name}: no sideways scroll, malformed ones marked, the rest shown`, async () => {
      const own = isMobile ? await newPage(viewport, true) : undefined;
      const page = own?.page ?? desktop.page;
      const tag = `hostile-${viewport.width}`;
      try {
        if (own) await signIn(page, AUDITOR);
        await dashboardShown(page);
        await expectNoSidewaysScroll(page, `${name}, the page`);

        // Each malformed record is one row that says so and why; the others are as stored.
        for (const [id, fields] of Object.entries(MALFORMED)) {
          const r = row(page, id);
          expect(await r.getAttribute('data-malformed'), id).toBe('');
          expect(await r.locator('.pill').innerText()).toBe('malformed');
          expect(await r.locator('.note-text').textContent()).toBe(
            `Malformed record: ${problemSummary(recordProblems(id, fields))}`,
          );
        }
        expect(await row(page, 'malformed-types').locator('.note-text').textContent()).toContain(
          'block_number: a whole number expected, found a string',
        );
        for (const id of Object.keys({ ...PUBLISHES, ...HOSTILE })) {
          expect(await row(page, id).getAttribute('data-malformed'), id).toBeNull();
          const status = String({ ...PUBLISHES, ...HOSTILE }[id].status);
          expect(await row(page, id).locator('.pill').innerText(), id).toBe(status);
        }

        // The cards: the newest record (10 KB in every text) and what the well-formed ones say.
        const last = page.locator('#last-attempt');
        expect(await last.locator('.pill').innerText()).toBe('failed');
        // Summaries are cut (the detail has it all): 80 characters of the code, 300 of the message.
        expect(await last.locator('.note').textContent()).toBe(
          `${brief(LONG, 80)}: ${brief(`${LONG} ${LONG_HEX}`, 300)}`,
        );
        expect(await page.locator('#leads').innerText()).toContain('1 counted');
        expect(await page.locator('#next-allowed').innerText()).toContain('#510');
        expect(await page.locator('#open-commit').innerText()).toContain('#700');
        expect(await page.locator('#context').textContent()).toBe(
          `subnet 71 · ${brief(LONG, 40)} · validator ${LONG.slice(0, 6)}…${LONG.slice(-6)}`,
        );
        // The chart draws the well-formed publishes only: 5 points, 3 miners.
        expect(await page.locator('#shares-chart .u-legend .u-series').count()).toBe(4);

        await screenshot(page, `${tag}-page`);
        await screenshot(page, `${tag}-first-screen`, 'viewport');
        // Marked rows, cut summaries and isolated text add no serious accessibility finding.
        const violations = await seriousViolations(page);
        expect(violations, JSON.stringify(violations, null, 2).slice(0, 2000)).toEqual([]);

        // The detail of the record with 10 KB everywhere, and of a malformed one.
        await openDetail(page, 'hostile-long');
        await expectDialogFits(page, `${name}, the hostile record's detail`);
        // (Assertions here never print the record: a failure would print 10 KB of it.)
        const sections = await page.locator('dialog h3').allTextContents();
        expect(sections).toContain('Unregistered hotkeys (1)');
        // Each long value shows its start and a button for the rest; the rest wraps as well.
        const more = page.locator('dialog button.more');
        expect(await more.count()).toBeGreaterThanOrEqual(10);
        expect(await more.first().innerText()).toBe('show all 10,000 characters');
        await screenshot(page, `${tag}-detail-long`, 'viewport');
        for (let n = await more.count(); n > 0; n = await more.count()) await more.first().click();
        const all = (await page.locator('dialog').textContent()) ?? '';
        expect(all.length).toBeGreaterThan(100_000);
        await expectDialogFits(page, `${name}, the hostile record's detail, all shown`);
        await screenshot(page, `${tag}-detail-long-all`, 'viewport');
        await closeDetail(page);

        await openDetail(page, 'malformed-types');
        await expectDialogFits(page, `${name}, the malformed record's detail`);
        const note = page.locator('dialog .malformed-note');
        expect(await note.locator('h3').innerText()).toMatch(/malformed record/i);
        const listed = await note.locator('li').allInnerTexts();
        expect(listed).toEqual(
          recordProblems('malformed-types', MALFORMED['malformed-types']).map(
            (p) => `${p.field}: ${p.reason}`,
          ),
        );
        await screenshot(page, `${tag}-detail-malformed`, 'viewport');
        await closeDetail(page);
        await expectNoSidewaysScroll(page, `${name}, after the dialogs`);
      } finally {
        await own?.context.close();
      }
    });
  }

  it('isolates record text, so that a bidi override in it reorders nothing around it', async () => {
    const { page } = desktop;
    await dashboardShown(page);
    const note = row(page, 'hostile-bidi').locator('.note-text');
    expect(await note.textContent()).toBe(`Bad${RLO}Code: ${RLO}this text is reversed`);
    const layout = await note.evaluate((el) => {
      const [code, message] = [...el.querySelectorAll('bdi')];
      const separator = code.nextSibling;
      const range = el.ownerDocument.createRange();
      range.selectNodeContents(separator);
      const sep = range.getBoundingClientRect();
      const style = (b: typeof el) => el.ownerDocument.defaultView.getComputedStyle(b);
      return {
        tags: [code.tagName, message.tagName],
        isolation: [code, message].map((b) => style(b).unicodeBidi),
        separator: separator.data,
        code: code.getBoundingClientRect().toJSON(),
        sep: sep.toJSON(),
        message: message.getBoundingClientRect().toJSON(),
      };
    });
    expect(layout.tags).toEqual(['BDI', 'BDI']);
    expect(layout.isolation).toEqual(['isolate', 'isolate']);
    expect(layout.separator).toBe(': ');
    // Left to right as written: the code, then ": ", then the message (all on one line).
    expect(layout.sep.top).toBeCloseTo(layout.code.top, 0);
    expect(layout.sep.left).toBeGreaterThanOrEqual(layout.code.right - 0.5);
    expect(layout.message.left).toBeGreaterThanOrEqual(layout.sep.right - 0.5);

    // Everything a record says is in a <bdi> or an isolated legend cell: its status, mode,
    // trigger and note in the table; the chart legend's hotkeys; the context line.
    const unisolated = await page.locator('body').evaluate(
      (body, rlo) =>
        [...body.querySelectorAll('*')]
          .filter((el) =>
            [...el.childNodes].some((n) => n.nodeType === 3 && n.nodeValue?.includes(rlo)),
          )
          .filter(
            (el) => body.ownerDocument.defaultView.getComputedStyle(el).unicodeBidi !== 'isolate',
          )
          .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
      RLO,
    );
    expect(unisolated).toEqual([]);
    const legendLabels = await page
      .locator('#shares-chart .u-legend .u-label')
      .evaluateAll((els) =>
        els.map((el) => el.ownerDocument.defaultView.getComputedStyle(el).unicodeBidi),
      );
    expect(legendLabels.every((b) => b === 'isolate')).toBe(true);
    await row(page, 'hostile-bidi').screenshot({ path: join(ARTIFACTS, 'hostile-bidi-row.png') });
  });

  it('shows a malformed record arriving as the newest without breaking the page', async () => {
    const { page } = desktop;
    await dashboardShown(page);
    // ts a map: Firestore orders it before every timestamp, so it becomes the newest record.
    const fields = { ...publish(0, [0.1, 0.9], 800), ts: { seconds: 'soon' } };
    const newest = db.collection('weight_transactions').doc('malformed-newest');
    await newest.set(fields);
    try {
      await shownNewest(page, fields);
    } finally {
      await newest.delete();
    }
    await eventually(() => rowIds(page)).toEqual(ORDER);
  });
});

/** The page with a malformed record newest: marked, in the last-attempt card, the rest intact. */
async function shownNewest(page: Page, fields: Record<string, unknown>) {
  await eventually(() => rowIds(page)).toEqual(['malformed-newest', ...ORDER]);
  expect(await row(page, 'malformed-newest').getAttribute('data-malformed')).toBe('');
  const last = page.locator('#last-attempt');
  await eventually(() => last.locator('.pill').innerText()).toBe('malformed');
  expect(await last.innerText()).toContain(
    'The newest record is malformed: ts: a timestamp expected, found a map',
  );
  expect(await last.locator('time').innerText()).toBe('—');
  // The other cards still read the well-formed records, the chart still draws them.
  expect(await page.locator('#next-allowed').innerText()).toContain('#510');
  expect(await page.locator('#shares-chart .u-legend .u-series').count()).toBe(4);
  expect(toAttempt('malformed-newest', fields).problems).toEqual([
    { field: 'ts', reason: 'a timestamp expected, found a map' },
  ]);
  await expectNoSidewaysScroll(page, 'with a malformed newest record');
  await page.locator('#status').scrollIntoViewIfNeeded();
  await screenshot(page, 'hostile-malformed-newest', 'viewport');
}

describe('the one date format', () => {
  it('is YYYY-MM-DD HH:MM:SS UTC everywhere, in a browser set to New York time', async () => {
    const { page } = desktop;
    await dashboardShown(page);
    const stamp = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/;
    const times = await page.locator('#view time').allInnerTexts();
    expect(times.length).toBeGreaterThan(ORDER.length);
    for (const text of times) expect(text).toMatch(text === '—' ? /^—$/ : stamp);
    const ts = (PUBLISHES['publish-5'].ts as Timestamp).toDate();
    const expected = `${ts.toISOString().slice(0, 10)} ${ts.toISOString().slice(11, 19)} UTC`;
    expect(await row(page, 'publish-5').locator('time').innerText()).toBe(expected);
    // The invalid one has no machine-readable time and shows a dash.
    expect(await row(page, 'malformed-ts').locator('time').innerText()).toBe('—');
    expect(await row(page, 'malformed-ts').locator('time').getAttribute('datetime')).toBeNull();
  });
});

describe('the shares chart', () => {
  /** The text the chart's canvas drew, once a draw at this width is done. */
  async function labelsAt(page: Page, width: number): Promise<DrawnText[]> {
    await page.setViewportSize({ width, height: 900 });
    const canvas = page.locator('#shares-chart canvas');
    const frame = page.locator('#shares-chart');
    // Drawn for this width: the canvas fills the chart's content box, and has its labels.
    await eventually(async () => {
      const [drawn, inner] = await Promise.all([
        drawnText(canvas),
        frame.evaluate((el) => {
          const s = el.ownerDocument.defaultView.getComputedStyle(el);
          return el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
        }),
      ]);
      return drawn.texts.length > 0 && Math.abs(drawn.width - Math.floor(inner)) <= 1;
    }).toBe(true);
    const { texts } = await drawnText(canvas);
    const c = await canvas.boundingBox();
    if (!c) throw new Error('no chart');
    // In page coordinates, to compare with what the chart's frame clips.
    return texts.map((t) => ({
      ...t,
      left: t.left + c.x,
      right: t.right + c.x,
      top: t.top + c.y,
      bottom: t.bottom + c.y,
    }));
  }

  it('has axis labels of 12 px that neither overlap nor are cut off, at every width', async () => {
    const { page } = desktop;
    await dashboardShown(page);
    const measured: string[] = [];
    try {
      for (const width of [375, 480, 768, 1024, 1280, 1920]) {
        const labels = await labelsAt(page, width);
        const frame = await page.locator('#shares-chart').boundingBox();
        if (!frame) throw new Error('no chart');
        const texts = labels.map((l) => l.text);
        expect(texts, `${width}px`).toContain('Time (UTC)');
        expect(
          texts.some((t) => t.endsWith('%')),
          `${width}px`,
        ).toBe(true);
        const xTicks = texts.filter((t) => /^\d{2}:\d{2}$|^\d{4}-\d{2}-\d{2}$/.test(t));
        expect(xTicks.length, `${width}px: x ticks ${texts.join(' | ')}`).toBeGreaterThanOrEqual(2);
        for (const l of labels) {
          expect(l.fontPx, `${width}px: "${l.text}"`).toBeGreaterThanOrEqual(11);
          const inside =
            l.left >= frame.x - 0.5 &&
            l.right <= frame.x + frame.width + 0.5 &&
            l.top >= frame.y - 0.5 &&
            l.bottom <= frame.y + frame.height + 0.5;
          expect(inside, `${width}px: "${l.text}" is cut off by the chart's frame`).toBe(true);
        }
        for (const [i, a] of labels.entries())
          for (const b of labels.slice(i + 1)) {
            const apart =
              a.right <= b.left + 0.5 ||
              b.right <= a.left + 0.5 ||
              a.bottom <= b.top + 0.5 ||
              b.bottom <= a.top + 0.5;
            expect(apart, `${width}px: "${a.text}" overlaps "${b.text}"`).toBe(true);
          }
        const gaps = xTickGaps(labels);
        measured.push(
          `${width}px: ${labels.length} labels, font ${Math.min(...labels.map((l) => l.fontPx))}–` +
            `${Math.max(...labels.map((l) => l.fontPx))} px, x ticks ${xTicks.length}, ` +
            `min gap ${gaps.toFixed(1)} px`,
        );
        expect(await sideways(page).then((s) => s.overflow), `${width}px`).toBe(0);
        if (width === 375 || width === 1280)
          await page
            .locator('#shares')
            .screenshot({ path: join(ARTIFACTS, `hostile-chart-${width}.png`) });
      }
    } finally {
      console.log(`axis labels:\n${measured.join('\n')}`);
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });
});

/** The smallest horizontal gap between neighbouring labels on the x axis's first line. */
function xTickGaps(labels: DrawnText[]): number {
  const line = labels
    .filter((l) => /^\d{2}:\d{2}$|^\d{4}-\d{2}-\d{2}$/.test(l.text))
    .sort((a, b) => a.top - b.top || a.left - b.left);
  const firstTop = line[0]?.top;
  const row = line.filter((l) => Math.abs(l.top - firstTop) < 2).sort((a, b) => a.left - b.left);
  let min = Infinity;
  for (let i = 1; i < row.length; i++) min = Math.min(min, row[i].left - row[i - 1].right);
  return min;
}

describe('sign-in errors', () => {
  async function signInError(credentials: { email: string; password: string }) {
    const { context, page } = await newPage({ width: 375, height: 812 }, true);
    try {
      await signIn(page, credentials);
      const alert = page.locator('.form-error');
      await eventually(() => alert.innerText()).not.toBe('');
      const text = await alert.innerText();
      await screenshot(page, `hostile-sign-in-${credentials.email.split('@')[0]}`, 'viewport');
      return text;
    } finally {
      await context.close();
    }
  }

  it('says a wrong password in plain words, without a raw code', async () => {
    const text = await signInError({ email: AUDITOR.email, password: 'not-the-password' });
    expect(text).toBe('The email address or the password is wrong. Check both and try again.');
    expect(text).not.toMatch(/auth\/|Firebase/);
  });

  it('says a disabled account in plain words', async () => {
    const text = await signInError(DISABLED);
    expect(text).toBe('This account has been disabled. Ask an operator of the dashboard.');
  });
});
