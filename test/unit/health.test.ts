// The health verdict and the incident rule, as pure functions: thresholds, the trail's findings,
// reminders at a bounded rate, and a chain out of reach that neither eases nor closes an incident.
import { describe, expect, it } from 'vitest';
import { HEALTH_DEFAULTS, healthConfigFromEnv } from '../../functions/src/health/config';
import {
  evaluateHealth,
  type ChainHealth,
  type EvaluationInput,
  type TrailHealth,
} from '../../functions/src/health/evaluate';
import { transition, type HealthDoc } from '../../functions/src/health/incidents';
import { errorCode, webhookBody } from '../../functions/src/health/webhook';

const VALIDATOR = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const T0 = Date.parse('2026-12-01T00:00:00Z');
const chain = (over: Partial<ChainHealth> = {}): ChainHealth => ({
  block: 1000,
  blockSeconds: 12,
  uid: 0,
  lastUpdate: 990,
  activityCutoff: 5000,
  weightsSetRateLimit: 100,
  permit: true,
  stake: 10_000n,
  minStake: 1_000n,
  commitReveal: false,
  commits: [],
  missing: [],
  ...over,
});
const trail = (over: Partial<TrailHealth> = {}): TrailHealth => ({
  validator: VALIDATOR,
  failures: [],
  unresolved: [],
  ...over,
});
const judge = (input: Partial<EvaluationInput>, nowMs = T0) =>
  evaluateHealth(
    { netuid: 401, endpoint: 'wss://node', nowMs, trail: trail(), chain: chain(), ...input },
    HEALTH_DEFAULTS,
  );
const codes = (e: ReturnType<typeof judge>) => e.reasons.map((r) => [r.code, r.severity]);

describe('evaluateHealth', () => {
  it('judges LastUpdate against the fractions of ActivityCutoff, with the time left', () => {
    expect(judge({}).status).toBe('ok');
    const warn = judge({ chain: chain({ block: 3500, lastUpdate: 1000 }) });
    expect(codes(warn)).toEqual([['last_update_stale', 'warning']]);
    // 2500 blocks old: 1500 to the critical 4000, 2500 to the cutoff, at 12 s a block.
    expect(warn.numbers).toMatchObject({
      blocks_since_update: 2500,
      warning_at_blocks: 2500,
      critical_at_blocks: 4000,
      seconds_to_critical: 1500 * 12,
      seconds_to_inactive: 2500 * 12,
    });
    expect(warn.reasons[0].message).toContain('5 h left before the critical threshold');
    expect(codes(judge({ chain: chain({ block: 5000, lastUpdate: 1000 }) }))).toEqual([
      ['last_update_stale', 'critical'],
    ]);
    expect(codes(judge({ chain: chain({ block: 6000, lastUpdate: 1000 }) }))).toEqual([
      ['validator_inactive', 'critical'],
    ]);
    // No LastUpdate in the runtime: nothing to age, nothing claimed.
    expect(codes(judge({ chain: chain({ block: 9000, lastUpdate: undefined }) }))).toEqual([]);
    // No ActivityCutoff in the runtime: subtensor's default, and said so.
    expect(judge({ chain: chain({ activityCutoff: undefined }) }).numbers).toMatchObject({
      activity_cutoff: 5000,
      activity_cutoff_source: 'default',
    });
  });

  it('names the trail: failures in a row, a missed reveal, a stale write-ahead record', () => {
    const failures = ['a', 'b', 'c'].map((id) => ({
      id,
      ts: '2026-11-30T23:00:00Z',
      code: 'Disconnected',
    }));
    // LastUpdate 400 blocks (80 min) before T0: the weights on chain are older than the failures.
    const before = chain({ lastUpdate: 600 });
    expect(
      codes(judge({ trail: trail({ failures: failures.slice(0, 2) }), chain: before })),
    ).toEqual([]);
    expect(codes(judge({ trail: trail({ failures }), chain: before }))).toEqual([
      ['consecutive_failures', 'warning'],
    ]);
    // Weights landed after them (LastUpdate 2 min before T0; a record not written yet, say).
    expect(codes(judge({ trail: trail({ failures }) }))).toEqual([]);
    const missed = judge({
      trail: trail({ revealMissed: { id: 'r', ts: '2026-11-30T22:00:00Z' } }),
    });
    expect(codes(missed)).toEqual([['reveal_window_missed', 'critical']]);
    const unresolved = [{ id: 'u', ts: '2026-11-30T23:00:00Z', era_end: 999 }];
    expect(codes(judge({ trail: trail({ unresolved }) }))).toEqual([
      ['unresolved_record_stale', 'warning'],
    ]);
    expect(
      codes(judge({ trail: trail({ unresolved: [{ ...unresolved[0], era_end: 1100 }] }) })),
    ).toEqual([]);
  });

  it('makes an unreachable chain a finding, and knows nothing without a validator', () => {
    const down = judge({ chain: { error: { code: 'ConnectionFailed', message: 'refused' } } });
    expect(codes(down)).toEqual([['chain_unreachable', 'warning']]);
    const fresh = judge({ trail: trail({ validator: undefined }), chain: undefined });
    expect(fresh.status).toBe('ok');
    expect(codes(fresh)).toEqual([['no_attempt_yet', 'info']]);
  });
});

describe('transition', () => {
  const config = { reminderMinutes: 60, maxReminders: 2 };
  const at = (minutes: number) => T0 + minutes * 60_000;
  let doc: HealthDoc | undefined;
  const step = (input: Partial<EvaluationInput>, minutes: number) => {
    const moved = transition(doc, judge(input, at(minutes)), config);
    doc = moved.doc;
    return moved;
  };
  const critical = { chain: chain({ permit: false }) };

  it('opens once, reminds at most every reminderMinutes and maxReminders times, closes once', () => {
    doc = undefined;
    expect(step({}, 0).message).toBeUndefined();
    const opened = step(critical, 10);
    expect(opened.message?.kind).toBe('opened');
    expect(opened.changed).toEqual({ from: 'ok', to: 'critical' });
    const kinds = [20, 69, 70, 100, 130, 200, 400].map((m) => step(critical, m).message?.kind);
    expect(kinds).toEqual([
      undefined,
      undefined,
      'reminder',
      undefined,
      'reminder',
      undefined,
      undefined,
    ]);
    // The chain out of reach: still critical, no message, the incident stays open.
    const down = step({ chain: { error: { code: 'Timeout', message: 'no answer' } } }, 410);
    expect(down.message).toBeUndefined();
    expect(down.doc).toMatchObject({ status: 'critical', incident: { status: 'critical' } });
    const resolved = step({}, 420);
    expect(resolved.message?.kind).toBe('resolved');
    expect(resolved.doc.incident).toBeNull();
    expect(resolved.doc.incidents[0]).toMatchObject({
      id: opened.message?.incident.id,
      reminders: 2,
      closed_at: new Date(at(420)).toISOString(),
    });
    expect(step({}, 480).message).toBeUndefined();
  });
});

describe('the webhook', () => {
  const evaluation = judge({ chain: chain({ permit: false }) });
  const opened = transition(undefined, evaluation, HEALTH_DEFAULTS).message;
  if (!opened) throw new Error('a critical verdict opens an incident');
  const { incident } = opened;
  it('speaks generic JSON, Slack and Discord', () => {
    expect(webhookBody('generic', 'opened', incident, evaluation)).toMatchObject({
      event: 'weights.health',
      kind: 'opened',
      status: 'critical',
      reasons: [{ code: 'no_validator_permit' }],
    });
    expect(Object.keys(webhookBody('slack', 'opened', incident, evaluation))).toEqual(['text']);
    const discord = webhookBody('discord', 'opened', incident, evaluation);
    expect(Object.keys(discord)).toEqual(['content']);
    expect(String(discord.content)).toContain('no_validator_permit');
  });

  it('describes a failed request by code, never by its message', () => {
    const error = Object.assign(new TypeError('fetch failed https://hooks.example/T/B/secret'), {
      cause: { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND hooks.example/T/B/secret' },
    });
    expect(errorCode(error)).toBe('ENOTFOUND');
    expect(errorCode(new DOMException('t', 'TimeoutError'))).toBe('timeout');
  });

  it('validates its params', () => {
    expect(() => healthConfigFromEnv({ HEALTH_WEBHOOK_FORMAT: 'teams' })).toThrow(/generic/);
    expect(() =>
      healthConfigFromEnv({ HEALTH_WARNING_FRACTION: '0.9', HEALTH_CRITICAL_FRACTION: '0.5' }),
    ).toThrow(/must not exceed/);
    expect(healthConfigFromEnv({})).toEqual(HEALTH_DEFAULTS);
  });
});
