// Issue 19: hostile bulk data against the rollups' capacity, at Firestore's real limits (the
// emulator enforces 1 MiB per document and 1,500 bytes per field path): thousands of distinct
// hotkeys in one day, an hour of ids near the 1,500-byte limit, ids at that limit, multi-byte and
// control characters. Each time the rollups count what the full scan counts, within the stated read
// bound; a lead or document that cannot be folded or read makes the run read the leads and say
// which; `rollups check` compares like with like; `rollups rebuild` succeeds on such data.
import { execFile } from 'node:child_process';
import { encodeAddress } from '@polkadot/util-crypto';
import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeEach, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG } from '../../functions/src/config/scoring';
import { canonicalHotkey } from '../../functions/src/leads/hotkey';
import { windowEndingAt } from '../../functions/src/leads/window';
import { rebuildRollups } from '../../functions/src/rollups/rebuild';
import {
  calculateWeights,
  type ScoringResult,
} from '../../functions/src/scoring/calculate-weights';
import { checkRollups } from '../../functions/src/scoring/check';
import { testFirestore } from '../support/firestore';
import { hotkey } from '../support/hotkeys';
import { recordingLogger } from '../support/logger';
import { leadWriter } from '../support/rollups';

const store = testFirestore('rollups-capacity');
const { db } = store;
const writer = leadWriter(db);
const NOW = new Date('2026-11-22T12:20:00Z');
const at = (hoursAgo: number) => Timestamp.fromMillis(NOW.getTime() - hoursAgo * 3600e3);
/** A distinct valid SS58 hotkey no test registers (the spam). */
const spam = (i: number) =>
  encodeAddress(
    Uint8Array.from({ length: 32 }, (_, j) => (j < 4 ? (i >> (8 * j)) & 0xff : 7)),
    42,
  );
/** The registered miners' leads, in the same day and hour as the spam. */
const honest = (hoursAgo: number) =>
  Object.fromEntries(
    Array.from({ length: 6 }, (_, i) => [
      `honest-${i}`,
      {
        curated_by: hotkey(1 + (i % 3)),
        source: hotkey(1 + ((i + 1) % 3)),
        created_at: at(hoursAgo),
      },
    ]),
  );
const REGISTERED = [hotkey(1), hotkey(2), hotkey(3)];

afterAll(() => store.close());
beforeEach(async () => {
  await store.clear();
  await rebuildRollups(writer.store, canonicalHotkey);
});

async function score(fullScan = false) {
  const log = recordingLogger();
  const result = await calculateWeights({
    db,
    projectId: store.projectId,
    config: DEFAULT_SCORING_CONFIG,
    log,
    now: NOW,
    method: fullScan ? 'full_scan' : 'auto',
  });
  return { result, log };
}

const registered = (result: ScoringResult) =>
  Object.fromEntries(REGISTERED.map((h) => [h, result.miners[h]]));

/** Scored from the rollups: no fallback, the same as the full scan, within the read bound. */
async function expectRollupsAsFullScan(maxAggregates: number) {
  const viaRollups = (await score()).result;
  const viaScan = (await score(true)).result;
  expect(viaRollups.fallback).toBeUndefined();
  expect(viaRollups.method).toBe('rollups');
  expect(viaRollups.weights_dict).toEqual(viaScan.weights_dict);
  expect(viaRollups.miners).toEqual(viaScan.miners);
  expect(viaRollups.leads.skipped).toEqual(viaScan.leads.skipped);
  expect(registered(viaRollups)).toEqual(registered(viaScan));
  for (const h of REGISTERED) expect(viaRollups.miners[h]).toBeDefined();
  // A second run has nothing to fold: only the state, the days (and shards), the edge's list.
  const again = (await score()).result;
  expect(again.reads.leads).toBe(0);
  expect(again.reads.aggregates).toBeLessThanOrEqual(maxAggregates);
  return { viaRollups, viaScan, again };
}

it('counts a day of 4,000 distinct hotkeys (over 1 MiB as one document) as the full scan does', async () => {
  const docs: Record<string, object> = {};
  // One day, one hour: ~1.8 MB of miners for that day, 4,006 leads in that hour.
  for (let i = 0; i < 4000; i++) {
    docs[`spam-${i}`] = { curated_by: spam(i), source: spam(i), created_at: at(30) };
  }
  await writer.put({ ...docs, ...honest(30) });
  // The bound: state, 31 days, ⌈4,003 / 1,500⌉ − 1 = 2 shard documents, one edge list.
  const { again } = await expectRollupsAsFullScan(1 + 31 + 2 + 1);
  expect(again.reads.aggregates).toBeGreaterThanOrEqual(1 + 31 + 2);
  // A later fold touching that day writes only what changed, and still agrees.
  await writer.put({ late: { curated_by: spam(4001), source: hotkey(1), created_at: at(30) } });
  await expectRollupsAsFullScan(1 + 31 + 2 + 1);
}, 180_000);

it('counts an hour of 800 leads whose ids are 1,400 bytes (over 1 MiB as one list)', async () => {
  const docs: Record<string, object> = {};
  for (let i = 0; i < 800; i++) {
    docs[`${String(i).padStart(4, '0')}${'x'.repeat(1396)}`] = {
      curated_by: hotkey(1 + (i % 3)),
      source: hotkey(1 + ((i + 2) % 3)),
      // The start's hour: its list is read at the window's edge.
      created_at: Timestamp.fromMillis(NOW.getTime() - 30 * 86_400e3 + (i % 30) * 60e3),
    };
  }
  await writer.put(docs);
  await expectRollupsAsFullScan(1 + 31 + 1);
}, 120_000);

it('folds ids at and just under 1,500 bytes, multi-byte and control characters', async () => {
  const ids = [
    'a'.repeat(1500),
    'b'.repeat(1499),
    'é'.repeat(750), // 1,500 bytes of UTF-8
    `${'😀'.repeat(374)}zz`, // 1,498 bytes
    'line\nbreak\u0000nul\u001b[31mred\u202eevil',
    'naïve—lead «1»',
    '#not-a-hash',
    'back`tick.dot',
  ];
  const docs: Record<string, object> = Object.fromEntries(
    ids.map((id, i) => [
      id,
      {
        curated_by: hotkey(1 + (i % 3)),
        source: hotkey(1 + ((i + 1) % 3)),
        // Both edges' hours, where the lists are read.
        created_at:
          i % 2 === 0
            ? Timestamp.fromMillis(NOW.getTime() - 30 * 86_400e3 + 60e3)
            : Timestamp.fromMillis(NOW.getTime() - 60e3),
      },
    ]),
  );
  // And one skipped for a hotkey and one for created_at, each with a 1,500-byte id, listed.
  docs['s'.repeat(1500)] = { curated_by: hotkey(1), created_at: at(2) };
  docs['t'.repeat(1500)] = { curated_by: hotkey(1), source: hotkey(2), created_at: true };
  await writer.put(docs);
  const { viaRollups } = await expectRollupsAsFullScan(1 + 31 + 1);
  expect(viaRollups.leads.counted).toBe(ids.length);
  expect(viaRollups.skipped_leads.map((s) => s.id)).toEqual(
    expect.arrayContaining(['s'.repeat(1500), 't'.repeat(1500)]),
  );
  // Deleting them takes them out again, wherever they were listed.
  await writer.remove(ids.slice(0, 4));
  const { viaRollups: after } = await expectRollupsAsFullScan(1 + 31 + 1);
  expect(after.leads.counted).toBe(ids.length - 4);
}, 120_000);

it('leaves a lead that cannot be folded pending, names it, folds the others, and reads the leads', async () => {
  await writer.put(honest(3));
  await score();
  await writer.put({
    good: { curated_by: hotkey(1), source: hotkey(2), created_at: at(2) },
    broken: { curated_by: hotkey(2), source: hotkey(3), created_at: at(2) },
  });
  // A record no fold can read (as a bug or a hand edit could leave it).
  await writer.store.records.doc('broken').update({ current: 'counted 12 not-a-hotkey' });
  const { result, log } = await score();
  expect(result.method).toBe('full_scan');
  expect(result.fallback).toMatchObject({
    code: 'leads_not_folded',
    lead: 'broken',
    leads_failed: 1,
  });
  expect(result.fallback?.reason).toContain('"broken"');
  expect(log.messages('WARN').join('\n')).toMatch(/1 lead\(s\) could not be folded .*"broken"/);
  // The full scan counts the lead as it is.
  expect(result.miners[hotkey(2)].curated).toBe(
    (await score(true)).result.miners[hotkey(2)].curated,
  );
  // The other lead was folded; the broken one's marker stays, and is tried again next run.
  expect((await writer.store.pending.get()).docs.map((d) => d.id)).toEqual(['broken']);
  await writer.put({ broken: { curated_by: hotkey(2), source: hotkey(3), created_at: at(1) } });
  await expectRollupsAsFullScan(1 + 31 + 1);
  expect((await writer.store.pending.get()).size).toBe(0);
}, 60_000);

it('reads the leads when a rollup document cannot be read, naming it', async () => {
  await writer.put(honest(3));
  await score();
  const day = writer.store.days.doc('g1-2026-11-22');
  const miners = (await day.get()).get('miners');
  miners[hotkey(1)].curated = 'nonsense';
  await day.update({ miners });
  const { result } = await score();
  expect(result.method).toBe('full_scan');
  expect(result.fallback).toMatchObject({
    code: 'read_failed',
    document: 'rollup_days/g1-2026-11-22',
  });
  expect(result.weights_dict).toEqual((await score(true)).result.weights_dict);
  // `rollups check` names it, and fails.
  const check = await checkRollups(db, 'curated_leads', windowEndingAt(NOW, 30), recordingLogger());
  expect(check.differences[0].what).toBe('rollup document rollup_days/g1-2026-11-22');
});

it('check compares like with like: leads the full scan cannot see are not a difference', async () => {
  await writer.put(
    {
      ...honest(3),
      // Seen by the scan's queries: skipped by both.
      flag: { curated_by: hotkey(1), source: hotkey(2), created_at: true },
      // Out of every query's range: only the rollups hold them.
      negative: { curated_by: hotkey(1), source: hotkey(2), created_at: -1 },
      nanos: { curated_by: hotkey(1), source: hotkey(2), created_at: 1.7e18 },
      old: { curated_by: hotkey(1), source: hotkey(2), created_at: Timestamp.fromMillis(-1e12) },
      impossible: { curated_by: hotkey(1), source: hotkey(2), created_at: '2000-13-45' },
    },
    false,
  );
  await rebuildRollups(writer.store, canonicalHotkey);
  const check = await checkRollups(db, 'curated_leads', windowEndingAt(NOW, 30), recordingLogger());
  expect(check.rollups.method).toBe('rollups');
  expect(check.differences).toEqual([]);
  expect(check.unseenByFullScan).toEqual({ created_at_out_of_range: 3, unparseable_created_at: 1 });
  expect(check.rollups.tally.leads.skipped.unexpected_created_at_type).toBe(1);
  expect(check.fullScan.tally.leads.skipped.unexpected_created_at_type).toBe(1);
});

it('rebuilds on hostile data (long ids, thousands of hotkeys in a day) and then agrees', async () => {
  const docs: Record<string, object> = { ...honest(5) };
  for (let i = 0; i < 2500; i++) {
    docs[`${i}-${'é'.repeat(700)}`] = { curated_by: spam(i), source: hotkey(1), created_at: at(5) };
  }
  await writer.put(docs, false);
  const outcome = await rebuildRollups(writer.store, canonicalHotkey, { restart: true });
  expect(outcome.finished).toBe(true);
  const check = await checkRollups(db, 'curated_leads', windowEndingAt(NOW, 30), recordingLogger());
  expect(check.differences).toEqual([]);
  expect(check.rollups.method).toBe('rollups');
  await expectRollupsAsFullScan(1 + 31 + 1 + 1);
}, 180_000);

it('names the first 100 skipped leads and counts the rest in one line, whichever way it counts', async () => {
  const docs: Record<string, object> = {};
  for (let i = 0; i < 1000; i++) docs[`nosource-${i}`] = { curated_by: spam(i), created_at: at(2) };
  await writer.put({ ...docs, ...honest(2) });
  for (const fullScan of [false, true]) {
    const { result, log } = await score(fullScan);
    const warnings = log.messages('WARN');
    expect(result.leads.skipped.missing_source).toBe(1000);
    expect(warnings.filter((w) => w.includes('missing source'))).toHaveLength(100);
    expect(warnings.at(-1)).toBe(
      'Skipped 1000 leads (the first 100 named above): missing_source=1000',
    );
  }
}, 60_000);

it('`weights rollups check` names the rollup document it cannot read, and exits 1', async () => {
  await writer.put(honest(3));
  await score();
  const day = writer.store.days.doc('g1-2026-11-22');
  await day.update({ skipped: { missing_source: 'x' } });
  const env = { ...process.env, FIRESTORE_EMULATOR_HOST: store.host, GCLOUD_PROJECT: undefined };
  const args = ['rollups', 'check', '--now', NOW.toISOString(), '--project', store.projectId];
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((done) =>
    execFile(process.execPath, ['functions/bin/weights.js', ...args], { env }, (error, _, err) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stderr: err }),
    ),
  );
  expect(code).toBe(1);
  expect(stderr).toContain(
    'Differs: rollup document rollup_days/g1-2026-11-22: rollups "the lead rollups could not be read: rollup document rollup_days/g1-2026-11-22 cannot be read: the counts of missing_source are not 24 numbers"',
  );
});

it('takes a lead listed under its raw id (the layout before hashed keys) out of that list', async () => {
  const id = 'ünïcödé lead';
  const startEdge = Timestamp.fromMillis(NOW.getTime() - 30 * 86_400e3 - 15 * 60e3);
  await writer.put({
    ...honest(3),
    [id]: { curated_by: hotkey(1), source: hotkey(2), created_at: startEdge },
  });
  await score();
  // As the fold listed it before: under the id itself.
  const [list] = (await writer.store.hours.get()).docs.filter((d) =>
    Object.values(d.get('leads') as Record<string, string>).some((v) =>
      v.startsWith(`counted ${startEdge.toMillis() * 1000} `),
    ),
  );
  const leads = list.get('leads') as Record<string, string>;
  const [hashed] = Object.keys(leads).filter((k) => k.startsWith('#'));
  await list.ref.set({ ...list.data(), leads: { [id]: leads[hashed] } });
  // The lead moves into the window: its old entry must not be taken away from the edge hour.
  await writer.put({ [id]: { curated_by: hotkey(1), source: hotkey(2), created_at: at(1) } });
  await expectRollupsAsFullScan(1 + 31 + 1);
  expect(Object.keys((await list.ref.get()).get('leads') as object)).toEqual([]);
});

it('resumes a rebuild whose saved day already has shard documents', async () => {
  const docs: Record<string, object> = { ...honest(5) };
  for (let i = 0; i < 2500; i++) {
    docs[`r-${String(i).padStart(4, '0')}`] = {
      curated_by: spam(i),
      source: spam(i + 1),
      created_at: at(5),
    };
  }
  await writer.put(docs, false);
  const first = await rebuildRollups(writer.store, canonicalHotkey, {
    restart: true,
    stopAfter: 1800,
  });
  expect(first.finished).toBe(false);
  expect((await writer.store.dayMiners.get()).size).toBeGreaterThan(0);
  const rest = await rebuildRollups(writer.store, canonicalHotkey);
  expect(rest).toMatchObject({ resumed: true, finished: true });
  const check = await checkRollups(db, 'curated_leads', windowEndingAt(NOW, 30), recordingLogger());
  expect(check.differences).toEqual([]);
  await expectRollupsAsFullScan(1 + 31 + 1 + 1);
}, 120_000);
