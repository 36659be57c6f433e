// The dashboard's pure reading of weight_transactions documents.
import { describe, expect, it } from 'vitest';
import {
  isOpenCommit,
  isWellFormed,
  kindOf,
  lastScoring,
  nextAllowed,
  problemSummary,
  recordProblems,
  shareChart,
  shortHotkey,
  successRate,
  toAttempt,
  type Attempt,
} from '../../web/src/model';

const T0 = Date.UTC(2026, 10, 1, 12);

/** A document as audit.ts stores it (only the fields a case needs), read back. */
function attempt(id: string, fields: Record<string, unknown>): Attempt {
  return toAttempt(id, {
    ts: { toMillis: () => T0 },
    status: 'included',
    success: true,
    ...fields,
  });
}

describe('toAttempt', () => {
  it('reads timestamps of any SDK and leaves out what an older document lacks', () => {
    const a = toAttempt('x', { ts: { toMillis: () => T0 }, status: 'failed' });
    expect(a).toMatchObject({
      ts: new Date(T0),
      status: 'failed',
      success: false,
      mode: 'set_weights',
      uids: [],
      weights: {},
      block_number: null,
      leads: undefined,
    });
  });

  it('ignores values of the wrong type instead of showing them', () => {
    const a = toAttempt('x', { ts: 'yesterday', uids: [1, 'two', 3], weights: { 1: 0.5, 2: 'x' } });
    expect(Number.isNaN(a.ts.getTime())).toBe(true);
    expect(a.uids).toEqual([1, 3]);
    expect(a.weights).toEqual({ 1: 0.5 });
  });
});

/** A Firestore Timestamp as the web SDK returns it: what the page sees of `ts`. */
const stamp = (ms: number) => ({ toMillis: () => ms, seconds: Math.floor(ms / 1000) });

/** A record as transactionDocument (functions/src/publishing/audit.ts) writes a landed publish. */
const LANDED: Record<string, unknown> = {
  ts: stamp(T0),
  status: 'included',
  success: true,
  iteration_count: 7,
  netuid: 71,
  network: 'devnet',
  mode: 'set_weights',
  validator_hotkey: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
  validator_uid: 0,
  block_number: 120,
  block_hash: '0xabc',
  transaction_hash: '0xdef',
  extrinsic_index: 2,
  uids: [1, 2],
  weights: { 1: 0.75, 2: 0.25 },
  weights_u16: [65535, 21845],
  uid_hotkeys: { 1: 'hotkey-1', 2: 'hotkey-2' },
  unregistered_hotkeys: [],
  reassigned_uids: [],
  error_code: null,
  error_message: null,
  next_allowed_block: 122,
  eta_seconds: 24,
  attempts: 1,
  version_key: '0',
  spec_version: 264,
  num_miners: 2,
  trigger: 'schedule',
  trigger_ref: null,
  leads: { read: 3, counted: 2, skipped: { missing_source: 1 } },
  durations: { run_ms: 1200, submit_ms: 800 },
};

const HOSTILE_TEXT = `${'x'.repeat(10_000)}\u202Eevil\u202C`;

describe('recordProblems: which records are well-formed', () => {
  it('finds nothing wrong with what the publisher writes, nor with an older, sparser record', () => {
    expect(recordProblems('a', LANDED)).toEqual([]);
    expect(recordProblems('b', { ts: stamp(T0), status: 'failed', success: false })).toEqual([]);
    // A failed run: the null fields of "none", its error in words.
    const failed = {
      ...LANDED,
      status: 'failed',
      success: false,
      block_number: null,
      block_hash: null,
      transaction_hash: null,
      extrinsic_index: null,
      error_code: 'NeuronNoValidatorPermit',
      error_message: 'no permit',
      retryable: false,
    };
    expect(recordProblems('c', failed)).toEqual([]);
    // A commit and its reveal.
    expect(
      recordProblems('d', {
        ...LANDED,
        mode: 'commit',
        reveal_status: 'revealed',
        revealed_block: 130,
      }),
    ).toEqual([]);
    expect(recordProblems('e', { ...LANDED, mode: 'reveal', commit_transaction: 'd' })).toEqual([]);
  });

  it('leaves long unbroken strings and bidi controls to the page: they are not malformed', () => {
    const hostile = {
      ...LANDED,
      network: HOSTILE_TEXT,
      validator_hotkey: HOSTILE_TEXT,
      block_hash: HOSTILE_TEXT,
      error_code: HOSTILE_TEXT,
      error_message: HOSTILE_TEXT,
      uid_hotkeys: { 1: HOSTILE_TEXT, 2: '\u202Ehotkey' },
      durations: { [HOSTILE_TEXT]: 1 },
      leads: { read: 1, counted: 0, skipped: { [HOSTILE_TEXT]: 1 } },
    };
    expect(recordProblems('f', hostile)).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['no ts', { ts: undefined }, 'ts', 'missing'],
    ['ts as a string', { ts: 'yesterday' }, 'ts', 'a timestamp expected, found a string'],
    ['ts as epoch millis', { ts: T0 }, 'ts', 'a timestamp expected, found a number'],
    ['ts invalid', { ts: stamp(NaN) }, 'ts', 'a timestamp expected, found an invalid timestamp'],
    [
      'an unknown status',
      { status: HOSTILE_TEXT },
      'status',
      'a known status expected, found a string',
    ],
    [
      'status a map',
      { status: { text: 'included' } },
      'status',
      'a known status expected, found a map',
    ],
    ['success a string', { success: 'true' }, 'success', 'true or false expected, found a string'],
    ['success that disagrees', { success: false }, 'success', 'disagrees with status'],
    [
      'an unknown mode',
      { mode: 'set_weights\u202E' },
      'mode',
      'a known mode expected, found a string',
    ],
    ['trigger a number', { trigger: 3 }, 'trigger', 'a known trigger expected, found a number'],
    ['block NaN', { block_number: NaN }, 'block_number', 'a whole number expected, found NaN'],
    [
      'block a string',
      { block_number: '120' },
      'block_number',
      'a whole number expected, found a string',
    ],
    [
      'block negative',
      { block_number: -1 },
      'block_number',
      'a whole number expected, found a number',
    ],
    [
      'netuid infinite',
      { netuid: Infinity },
      'netuid',
      'a whole number expected, found an infinite number',
    ],
    ['eta NaN', { eta_seconds: NaN }, 'eta_seconds', 'a number expected, found NaN'],
    ['network a map', { network: { name: 'x' } }, 'network', 'a string expected, found a map'],
    [
      'error_message a list',
      { error_message: ['x'] },
      'error_message',
      'a string expected, found a list',
    ],
    ['hash a map', { block_hash: { 0: 1 } }, 'block_hash', 'a string expected, found a map'],
    ['uids with a map', { uids: [1, { uid: 2 }] }, 'uids', 'a list of uids expected, found a list'],
    ['uids a map', { uids: { 0: 1 } }, 'uids', 'a list of uids expected, found a map'],
    [
      'u16 out of range',
      { weights_u16: [65536, 1] },
      'weights_u16',
      'a list of u16 values expected, found a list',
    ],
    ['u16 one short', { weights_u16: [65535] }, 'weights_u16', 'not one value per uid'],
    [
      'a share NaN',
      { weights: { 1: NaN, 2: 0.25 } },
      'weights',
      'a map of shares from 0 to 1 expected, found a map',
    ],
    [
      'a share above 1',
      { weights: { 1: 2 } },
      'weights',
      'a map of shares from 0 to 1 expected, found a map',
    ],
    [
      'a hotkey a map',
      { uid_hotkeys: { 1: { key: 'x' } } },
      'uid_hotkeys',
      'a map of hotkeys expected, found a map',
    ],
    [
      'durations a string',
      { durations: 'fast' },
      'durations',
      'a map of durations expected, found a string',
    ],
    [
      'leads without counts',
      { leads: { read: 'many' } },
      'leads',
      'counts of leads read, counted and skipped expected, found a map',
    ],
    [
      'a commit link with a slash',
      { commit_transaction: 'a/b' },
      'commit_transaction',
      'a document id expected, found a string',
    ],
    [
      'an unknown reveal status',
      { reveal_status: 'maybe' },
      'reveal_status',
      'a known reveal status expected, found a string',
    ],
    ['retryable null', { retryable: null }, 'retryable', 'true or false expected, found null'],
  ])('%s is malformed', (_name, fields, field, reason) => {
    const problems = recordProblems('r', { ...LANDED, ...fields });
    expect(problems).toEqual([{ field, reason }]);
  });

  it('says every problem of a record, and never quotes the record', () => {
    const problems = recordProblems('r', {
      ts: HOSTILE_TEXT,
      status: HOSTILE_TEXT,
      success: HOSTILE_TEXT,
      block_number: NaN,
    });
    expect(problems.map((p) => p.field)).toEqual(['ts', 'status', 'success', 'block_number']);
    expect(problemSummary(problems)).not.toContain('x'.repeat(10));
    expect(problemSummary(problems)).not.toContain('\u202E');
    expect(problemSummary(problems)).toBe(
      'ts: a timestamp expected, found a string; status: a known status expected, found a string; ' +
        'success: true or false expected, found a string; block_number: a whole number expected, found NaN',
    );
  });

  it('calls what is no map at all malformed, and a bad document id', () => {
    expect(recordProblems('r', null)).toEqual([
      { field: 'record', reason: 'a map expected, found null' },
    ]);
    expect(recordProblems('r', [LANDED])).toEqual([
      { field: 'record', reason: 'a map expected, found a list' },
    ]);
    expect(recordProblems('', LANDED)).toEqual([{ field: 'id', reason: 'a document id expected' }]);
  });

  it('names kinds of values', () => {
    expect(
      [undefined, null, NaN, -Infinity, 1, '', 's', true, [], {}, new Date(0), stamp(0)].map(
        kindOf,
      ),
    ).toEqual([
      'nothing',
      'null',
      'NaN',
      'an infinite number',
      'a number',
      'an empty string',
      'a string',
      'a boolean',
      'a list',
      'a map',
      'a date',
      'a timestamp',
    ]);
  });
});

describe('toAttempt on a malformed record', () => {
  it('carries the problems, invents no mode, and is left out of what the page derives', () => {
    const bad = toAttempt('bad', {
      ...LANDED,
      ts: stamp(T0 + 60_000),
      mode: { evil: true },
      next_allowed_block: 999,
      weights: { 1: NaN, 2: 0.5 },
      leads: { read: 100, counted: 100 },
    });
    expect(isWellFormed(bad)).toBe(false);
    expect(bad.mode).toBe('unknown');
    expect(bad.problems.map((p) => p.field)).toEqual(['mode', 'weights']);
    const good = toAttempt('good', LANDED);
    expect(isWellFormed(good)).toBe(true);
    // Newest first: the malformed record is newer, and still not the one read.
    expect(nextAllowed([bad, good])?.block).toBe(122);
    expect(lastScoring([bad, good])?.at.id).toBe('good');
    expect(shareChart([bad, good], 6).attempts.map((a) => a.id)).toEqual(['good']);
    expect(isOpenCommit(toAttempt('c', { ...LANDED, mode: 'commit', block_number: 'x' }))).toBe(
      false,
    );
  });
});

describe('shortHotkey', () => {
  it('keeps short keys and never splits a surrogate pair', () => {
    expect(shortHotkey('hotkey-1')).toBe('hotkey-1');
    expect(shortHotkey('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY')).toBe('5Grwva…GKutQY');
    expect(shortHotkey('😀'.repeat(20))).toBe(`${'😀'.repeat(6)}…${'😀'.repeat(6)}`);
  });
});

describe('successRate', () => {
  it.each([
    [{ total: 10, landed: 9, failed: 1 }, 0.9],
    // Skips and rate-limited runs sent nothing: they count neither way.
    [{ total: 10, landed: 2, failed: 0 }, 1],
    [{ total: 4, landed: 0, failed: 0 }, undefined],
  ])('%o → %s', (counts, rate) => expect(successRate(counts)).toBe(rate));
});

describe('nextAllowed', () => {
  it('takes the newest attempt that knows it, and dates the ETA from that attempt', () => {
    const recent = [
      attempt('skip', { status: 'skipped', success: false }),
      attempt('landed', { next_allowed_block: 120, eta_seconds: 36 }),
      attempt('older', { next_allowed_block: 100, eta_seconds: 12 }),
    ];
    expect(nextAllowed(recent)).toMatchObject({ block: 120, etaSeconds: 36, atMs: T0 + 36_000 });
    expect(nextAllowed([recent[0]])).toBeUndefined();
  });
});

describe('isOpenCommit', () => {
  it.each([
    [{ mode: 'commit' }, true],
    [{ mode: 'timelocked_commit' }, true],
    [{ mode: 'commit', reveal_status: 'waiting' }, true],
    [{ mode: 'commit', reveal_status: 'revealed' }, false],
    [{ mode: 'commit', reveal_status: 'expired' }, false],
    [{ mode: 'commit', status: 'skipped', success: false }, false],
    [{ mode: 'reveal' }, false],
    [{ mode: 'set_weights' }, false],
  ])('%o → %s', (fields, open) => expect(isOpenCommit(attempt('c', fields))).toBe(open));
});

describe('lastScoring', () => {
  it('reads the newest attempt that scored, skipped reasons largest first, zeros left out', () => {
    const scoring = lastScoring([
      attempt('busy', { status: 'skipped' }),
      attempt('scored', {
        leads: {
          read: 12,
          counted: 9,
          skipped: { missing_source: 1, invalid_source: 2, unparseable_created_at: 0 },
        },
      }),
    ]);
    expect(scoring).toMatchObject({
      read: 12,
      counted: 9,
      skippedTotal: 3,
      skipped: [
        ['invalid_source', 2],
        ['missing_source', 1],
      ],
    });
  });
});

describe('shareChart', () => {
  const publish = (minutes: number, weights: Record<string, number>, extra = {}) =>
    toAttempt(`p${minutes}`, {
      ts: new Date(T0 + minutes * 60_000),
      status: 'included',
      success: true,
      uids: Object.keys(weights).map(Number),
      weights,
      weights_u16: Object.values(weights).map((w) => Math.round(w * 60_000)), // u16 values: at most 65535
      uid_hotkeys: Object.fromEntries(Object.keys(weights).map((uid) => [uid, `hotkey-${uid}`])),
      ...extra,
    });

  it('draws the top miners by peak share, sums the rest as others, and keeps each u16 with its uid', () => {
    const chart = shareChart(
      [
        publish(60, { 1: 0.5, 2: 0.3, 3: 0.2 }),
        publish(0, { 1: 0.1, 2: 0.1, 3: 0.1, 4: 0.7 }),
        publish(30, {}, { success: false, status: 'failed' }),
        toAttempt('reveal', {
          ts: new Date(T0),
          success: true,
          mode: 'reveal',
          uids: [1],
          weights_u16: [65535],
        }),
      ],
      2,
    );
    expect(chart.times).toEqual([T0 / 1000, T0 / 1000 + 3600]);
    expect(chart.series.map((s) => [s.key, s.shares])).toEqual([
      ['hotkey-4', [0.7, 0]],
      ['hotkey-1', [0.1, 0.5]],
      ['others', [0.2, 0.5]],
    ]);
    expect(chart.series[1].details).toEqual([
      { uid: 1, u16: 6_000 },
      { uid: 1, u16: 30_000 },
    ]);
    expect(chart.series[2].details).toEqual([{ miners: 2 }, { miners: 2 }]);
    expect(chart.series[0].label).toBe('uid 4 · hotkey-4');
  });

  it('has no others line when every miner is drawn', () => {
    const chart = shareChart([publish(0, { 1: 0.6, 2: 0.4 })], 6);
    expect(chart.series.map((s) => s.key)).toEqual(['hotkey-1', 'hotkey-2']);
  });
});
