/**
 * The dashboard's reading of a `weight_transactions` document (written by
 * functions/src/publishing/audit.ts, `transactionDocument`) and what the views derive from a list
 * of them. Pure: no Firebase, no DOM, so it is table-tested in Node.
 */

export type Mode = 'set_weights' | 'timelocked_commit' | 'commit' | 'reveal';
export const MODES: readonly Mode[] = ['set_weights', 'timelocked_commit', 'commit', 'reveal'];
export const TRIGGERS = ['curated_lead', 'schedule', 'task', 'cli'] as const;
export const COMMIT_MODES: readonly Mode[] = ['commit', 'timelocked_commit'];
/** The statuses the publisher writes (functions/src/publishing/result.ts, PublishStatus). */
export const STATUSES = [
  'included',
  'finalized',
  'failed',
  'rate-limited',
  'skipped',
  'dry-run',
  'submitting',
  'dropped',
] as const;
/** What a later run recorded about a commit (functions/src/publishing/reveal.ts). */
export const REVEAL_STATUSES = ['waiting', 'revealed', 'missed', 'expired', 'failed'] as const;

export interface LeadCounts {
  read: number;
  counted: number;
  skipped: Record<string, number>;
}

export interface Attempt {
  id: string;
  ts: Date;
  status: string;
  success: boolean;
  mode: string;
  trigger: string;
  trigger_ref: string | null;
  netuid?: number;
  /** The subnet mechanism weighted (absent: a runtime without mechanisms, i.e. 0). */
  mechanism?: number;
  network?: string;
  iteration_count?: number;
  validator_hotkey?: string;
  validator_uid?: number;
  block_number: number | null;
  block_hash: string | null;
  transaction_hash: string | null;
  extrinsic_index: number | null;
  uids: number[];
  /** uid → share, for the uids whose hotkey scored. */
  weights: Record<string, number>;
  /** The u16 value of uids[i]. */
  weights_u16: number[];
  uid_hotkeys: Record<string, string>;
  unregistered_hotkeys: string[];
  reassigned_uids: number[];
  error_code: string | null;
  error_message: string | null;
  retryable?: boolean;
  next_allowed_block?: number;
  eta_seconds?: number;
  attempts?: number;
  version_key?: string;
  spec_version?: number;
  num_miners?: number;
  /** On a reveal: the weight_transactions id of its commit. */
  commit_transaction?: string;
  /** On a commit, once a later run followed it up: revealed, missed, expired or failed. */
  reveal_status?: string;
  revealed_block?: number | null;
  reveal_epoch?: number;
  first_reveal_block?: number;
  last_reveal_block?: number;
  reveal_round?: string;
  leads?: LeadCounts;
  durations: Record<string, number>;
  /** Why the record is malformed; empty when it is well-formed. */
  problems: readonly Problem[];
}

type Data = Record<string, unknown>;

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Data =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Data) : {};
const numbers = (v: unknown) => (Array.isArray(v) ? v.filter((x) => typeof x === 'number') : []);
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);
const numberMap = (v: unknown) =>
  Object.fromEntries(Object.entries(obj(v)).filter(([, x]) => num(x) !== undefined)) as Record<
    string,
    number
  >;

/** A Firestore Timestamp (any SDK: it has toMillis), a Date, or epoch milliseconds. */
function toDate(v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v);
  const withMillis = v as { toMillis?: () => number } | null;
  if (withMillis && typeof withMillis.toMillis === 'function')
    return new Date(withMillis.toMillis());
  return new Date(NaN);
}

/**
 * Reads a stored document defensively: older documents lack the newer fields, and a value of the
 * wrong type is left out (or read as "unknown") instead of shown. `problems` says what was wrong.
 */
export function toAttempt(id: string, data: Data): Attempt {
  const leads = obj(data.leads);
  return {
    id,
    ts: toDate(data.ts),
    status: str(data.status) ?? 'unknown',
    success: data.success === true,
    // Documents written before commit-reveal have no mode: they set weights.
    mode: data.mode === undefined ? 'set_weights' : (str(data.mode) ?? 'unknown'),
    trigger: str(data.trigger) ?? 'unknown',
    trigger_ref: str(data.trigger_ref) ?? null,
    netuid: num(data.netuid),
    mechanism: num(data.mechanism),
    network: str(data.network),
    iteration_count: num(data.iteration_count),
    validator_hotkey: str(data.validator_hotkey),
    validator_uid: num(data.validator_uid),
    block_number: num(data.block_number) ?? null,
    block_hash: str(data.block_hash) ?? null,
    transaction_hash: str(data.transaction_hash) ?? null,
    extrinsic_index: num(data.extrinsic_index) ?? null,
    uids: numbers(data.uids),
    weights: numberMap(data.weights),
    weights_u16: numbers(data.weights_u16),
    uid_hotkeys: Object.fromEntries(
      Object.entries(obj(data.uid_hotkeys)).filter(([, x]) => typeof x === 'string'),
    ) as Record<string, string>,
    unregistered_hotkeys: strings(data.unregistered_hotkeys),
    reassigned_uids: numbers(data.reassigned_uids),
    error_code: str(data.error_code) ?? null,
    error_message: str(data.error_message) ?? null,
    retryable: typeof data.retryable === 'boolean' ? data.retryable : undefined,
    next_allowed_block: num(data.next_allowed_block),
    eta_seconds: num(data.eta_seconds),
    attempts: num(data.attempts),
    version_key: str(data.version_key),
    spec_version: num(data.spec_version),
    num_miners: num(data.num_miners),
    commit_transaction: str(data.commit_transaction),
    reveal_status: str(data.reveal_status),
    revealed_block: num(data.revealed_block) ?? (data.revealed_block === null ? null : undefined),
    reveal_epoch: num(data.reveal_epoch),
    first_reveal_block: num(data.first_reveal_block),
    last_reveal_block: num(data.last_reveal_block),
    reveal_round: str(data.reveal_round),
    leads:
      data.leads === undefined
        ? undefined
        : {
            read: num(leads.read) ?? 0,
            counted: num(leads.counted) ?? 0,
            skipped: numberMap(leads.skipped),
          },
    durations: numberMap(data.durations),
    problems: recordProblems(id, data),
  };
}

/** What is wrong with one field of a record, in words that quote nothing of the record. */
export interface Problem {
  field: string;
  reason: string;
}

export const isWellFormed = (a: Attempt) => a.problems.length === 0;

/** How a value looks, for a reason: never the value itself (it may be huge or hostile). */
export function kindOf(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'number')
    return Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? 'a number' : 'an infinite number';
  if (typeof v === 'string') return v === '' ? 'an empty string' : 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a date';
  if (isTimestamp(v)) return Number.isFinite(v.toMillis()) ? 'a timestamp' : 'an invalid timestamp';
  return typeof v === 'object' ? 'a map' : typeof v;
}

function isTimestamp(v: unknown): v is { toMillis(): number } {
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof (v as { toMillis?: unknown }).toMillis === 'function'
  );
}

/** A check answers what was expected when the value is not it, and nothing when it is. */
type Check = (v: unknown) => string | undefined;

const must =
  (ok: (v: unknown) => boolean, expected: string): Check =>
  (v) =>
    ok(v) ? undefined : expected;
const isCount = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isFiniteNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown) => typeof v === 'string';
const oneOf = (values: readonly string[], what: string): Check =>
  must((v) => typeof v === 'string' && values.includes(v), what);
const isMap = (v: unknown): v is Data =>
  v !== null &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  !(v instanceof Date) &&
  Object.getPrototypeOf(v) === Object.prototype;

const timestamp = must(
  (v) => (v instanceof Date || isTimestamp(v)) && Number.isFinite(toDate(v).getTime()),
  'a timestamp',
);
const count = must(isCount, 'a whole number');
const finite = must(isFiniteNumber, 'a number');
const text = must(isString, 'a string');
const flag = must((v) => typeof v === 'boolean', 'true or false');
/** A Firestore document id: 1 to 1,500 bytes, no "/", not "." or "..", not __…__. */
const documentId = must(
  (v) =>
    typeof v === 'string' &&
    v.length > 0 &&
    new TextEncoder().encode(v).length <= 1500 &&
    !v.includes('/') &&
    v !== '.' &&
    v !== '..' &&
    !/^__.*__$/.test(v),
  'a document id',
);
const listOf = (item: (v: unknown) => boolean, what: string): Check =>
  must((v) => Array.isArray(v) && v.every(item), what);
const mapOf = (value: (v: unknown) => boolean, what: string): Check =>
  must((v) => isMap(v) && Object.values(v).every(value), what);
const isShare = (v: unknown) => isFiniteNumber(v) && (v as number) >= 0 && (v as number) <= 1;
const isU16 = (v: unknown) => isCount(v) && (v as number) <= 65_535;

interface FieldRule {
  check: Check;
  /** Every record has it (the others may be absent: older records lack the newer fields). */
  required?: boolean;
  /** null is a value it may hold (as audit.ts writes for "none"). */
  nullable?: boolean;
}

/** The stored layout (functions/src/publishing/audit.ts, transactionDocument), as the page reads it. */
const FIELDS: Record<string, FieldRule> = {
  ts: { check: timestamp, required: true },
  status: { check: oneOf(STATUSES, 'a known status'), required: true },
  success: { check: flag, required: true },
  mode: { check: oneOf(MODES, 'a known mode') },
  trigger: { check: oneOf(TRIGGERS, 'a known trigger') },
  trigger_ref: { check: text, nullable: true },
  netuid: { check: count },
  mechanism: { check: count },
  network: { check: text },
  iteration_count: { check: count },
  validator_hotkey: { check: text },
  validator_uid: { check: count },
  block_number: { check: count, nullable: true },
  block_hash: { check: text, nullable: true },
  transaction_hash: { check: text, nullable: true },
  extrinsic_index: { check: count, nullable: true },
  uids: { check: listOf(isCount, 'a list of uids') },
  weights: { check: mapOf(isShare, 'a map of shares from 0 to 1') },
  weights_u16: { check: listOf(isU16, 'a list of u16 values') },
  uid_hotkeys: { check: mapOf(isString, 'a map of hotkeys') },
  unregistered_hotkeys: { check: listOf(isString, 'a list of hotkeys') },
  reassigned_uids: { check: listOf(isCount, 'a list of uids') },
  error_code: { check: text, nullable: true },
  error_message: { check: text, nullable: true },
  retryable: { check: flag },
  next_allowed_block: { check: count },
  eta_seconds: { check: finite },
  attempts: { check: count },
  version_key: { check: text },
  spec_version: { check: count },
  num_miners: { check: count },
  commit_transaction: { check: documentId },
  reveal_status: { check: oneOf(REVEAL_STATUSES, 'a known reveal status') },
  revealed_block: { check: count, nullable: true },
  reveal_epoch: { check: count },
  first_reveal_block: { check: count },
  last_reveal_block: { check: count },
  reveal_round: { check: text },
  leads: {
    check: must(
      (v) =>
        isMap(v) &&
        isCount(v.read) &&
        isCount(v.counted) &&
        (v.skipped === undefined || (isMap(v.skipped) && Object.values(v.skipped).every(isCount))),
      'counts of leads read, counted and skipped',
    ),
  },
  durations: { check: mapOf(isFiniteNumber, 'a map of durations') },
};

/**
 * Whether a stored record is one the page can show as it is: each field it reads is absent (if
 * it may be), or of its type and range, and the fields agree with each other. Long strings and
 * bidi controls are not problems: the page wraps and isolates every text it shows.
 */
export function recordProblems(id: unknown, data: unknown): Problem[] {
  if (!isMap(data)) return [{ field: 'record', reason: `a map expected, found ${kindOf(data)}` }];
  const problems: Problem[] = [];
  const idProblem = documentId(id);
  if (idProblem) problems.push({ field: 'id', reason: `${idProblem} expected` });
  for (const [field, rule] of Object.entries(FIELDS)) {
    const v = data[field];
    if (v === undefined) {
      if (rule.required) problems.push({ field, reason: 'missing' });
      continue;
    }
    if (v === null && rule.nullable) continue;
    const expected = rule.check(v);
    if (expected) problems.push({ field, reason: `${expected} expected, found ${kindOf(v)}` });
  }
  const bad = new Set(problems.map((p) => p.field));
  const agree = (field: string, ok: boolean, reason: string, ...needs: string[]) => {
    if (!ok && ![field, ...needs].some((f) => bad.has(f))) problems.push({ field, reason });
  };
  agree(
    'success',
    data.success === (data.status === 'included' || data.status === 'finalized'),
    'disagrees with status',
    'status',
  );
  if (Array.isArray(data.uids) && Array.isArray(data.weights_u16))
    agree(
      'weights_u16',
      data.uids.length === data.weights_u16.length,
      'not one value per uid',
      'uids',
    );
  return problems;
}

/** Why a record is malformed, in one line; empty when it is well-formed. */
export function problemSummary(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.field}: ${p.reason}`).join('; ');
}

/** The u16 value sent to a uid in this attempt, if it was sent one. */
export function u16Of(attempt: Attempt, uid: number): number | undefined {
  const i = attempt.uids.indexOf(uid);
  return i < 0 ? undefined : attempt.weights_u16[i];
}

/** One row per uid sent: what the detail pane lists. */
export function sentRows(attempt: Attempt) {
  return attempt.uids.map((uid, i) => ({
    uid,
    u16: attempt.weights_u16[i],
    share: attempt.weights[String(uid)],
    hotkey: attempt.uid_hotkeys[String(uid)],
  }));
}

/** When the chain allows the next weights, as the newest well-formed attempt that knows it says. */
export function nextAllowed(attempts: readonly Attempt[]) {
  const known = attempts.find((a) => isWellFormed(a) && a.next_allowed_block !== undefined);
  if (!known || known.next_allowed_block === undefined) return undefined;
  return {
    block: known.next_allowed_block,
    etaSeconds: known.eta_seconds,
    /** The estimate, counted from when that attempt was recorded. */
    atMs:
      known.eta_seconds === undefined ? undefined : known.ts.getTime() + known.eta_seconds * 1000,
    from: known,
  };
}

/** A commit the chain (timelocked) or a later run (hash) has not revealed yet. */
export function isOpenCommit(a: Attempt): boolean {
  return (
    isWellFormed(a) &&
    a.success &&
    COMMIT_MODES.includes(a.mode as Mode) &&
    (a.reveal_status === undefined || a.reveal_status === 'waiting')
  );
}

/**
 * The lead counts of the newest well-formed attempt that scored (skips before scoring carry none).
 */
export function lastScoring(attempts: readonly Attempt[]) {
  const scored = attempts.find((a) => isWellFormed(a) && a.leads !== undefined);
  if (!scored?.leads) return undefined;
  const skipped = Object.entries(scored.leads.skipped)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  return {
    ...scored.leads,
    skippedTotal: skipped.reduce((s, [, n]) => s + n, 0),
    skipped,
    at: scored,
  };
}

export interface Counts {
  total: number;
  landed: number;
  failed: number;
}

/**
 * The share of sends that landed. Skips (unchanged shares, a busy publisher, a reveal first) and
 * rate-limited runs sent nothing and reschedule themselves: they are not counted against it.
 */
export function successRate({ landed, failed }: Counts): number | undefined {
  return landed + failed === 0 ? undefined : landed / (landed + failed);
}

export interface ShareSeries {
  /** A hotkey, or OTHERS. */
  key: string;
  label: string;
  /** One value per point, the share 0..1. */
  shares: number[];
  /** Per point: the uid and u16 sent, or for OTHERS how many miners it sums. */
  details: Array<{ uid?: number; u16?: number; miners?: number }>;
}

export interface ShareChart {
  /** Seconds since the epoch, oldest first. */
  times: number[];
  attempts: Attempt[];
  series: ShareSeries[];
}

export const OTHERS = 'others';
/** Miners drawn as their own line; the rest are summed as "others". */
export const TOP_MINERS = 6;

/**
 * Shares over time, one series per miner (hotkey) for the `top` miners by peak share, and the
 * rest summed as "others". Points are the successful, well-formed attempts that sent shares,
 * oldest first.
 */
export function shareChart(successes: readonly Attempt[], top: number): ShareChart {
  const points = successes
    .filter((a) => isWellFormed(a) && a.success && Object.keys(a.weights).length > 0)
    .sort((a, b) => a.ts.getTime() - b.ts.getTime());
  const peak = new Map<string, number>();
  const perPoint = points.map((a) => {
    const byHotkey = new Map<string, { share: number; uid: number; u16?: number }>();
    for (const [uid, share] of Object.entries(a.weights)) {
      const hotkey = a.uid_hotkeys[uid] ?? `uid ${uid}`;
      byHotkey.set(hotkey, { share, uid: Number(uid), u16: u16Of(a, Number(uid)) });
      peak.set(hotkey, Math.max(peak.get(hotkey) ?? 0, share));
    }
    return byHotkey;
  });
  const ranked = [...peak].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = ranked.slice(0, top).map(([hotkey]) => hotkey);
  const rest = new Set(ranked.slice(top).map(([hotkey]) => hotkey));
  const series: ShareSeries[] = shown.map((hotkey) => {
    const lastUid = [...perPoint]
      .reverse()
      .find((p) => p.has(hotkey))
      ?.get(hotkey)?.uid;
    return {
      key: hotkey,
      label: `uid ${lastUid ?? '?'} · ${shortHotkey(hotkey)}`,
      shares: perPoint.map((p) => p.get(hotkey)?.share ?? 0),
      details: perPoint.map((p) => {
        const row = p.get(hotkey);
        return row ? { uid: row.uid, u16: row.u16 } : {};
      }),
    };
  });
  if (rest.size > 0) {
    series.push({
      key: OTHERS,
      label: `others (${rest.size})`,
      shares: perPoint.map((p) =>
        [...p].reduce((sum, [hotkey, row]) => (rest.has(hotkey) ? sum + row.share : sum), 0),
      ),
      details: perPoint.map((p) => ({ miners: [...p.keys()].filter((k) => rest.has(k)).length })),
    });
  }
  return { times: points.map((a) => a.ts.getTime() / 1000), attempts: points, series };
}

/** The first and last 6 characters (code points, so that no surrogate pair is split). */
export function shortHotkey(hotkey: string): string {
  const chars = Array.from(hotkey);
  return chars.length > 14 ? `${chars.slice(0, 6).join('')}…${chars.slice(-6).join('')}` : hotkey;
}

export function percent(share: number, digits = 2): string {
  return `${(share * 100).toFixed(digits)}%`;
}
