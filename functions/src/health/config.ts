/**
 * Settings of the weight-health evaluation and its alerts, read and validated in one place. The
 * deployed functions get them as Firebase params (config/params.ts, same names); the command line
 * and the tests from the environment. Thresholds are relative to the subnet's own ActivityCutoff,
 * so the same defaults suit a subnet with a cutoff of 5000 blocks (about 17 h at 12 s) and a test
 * chain's 100.
 */
import { ConfigError } from '../config/scoring';

export type WebhookFormat = 'off' | 'generic' | 'slack' | 'discord';
export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ['off', 'generic', 'slack', 'discord'];

export interface HealthConfig {
  /** Blocks since LastUpdate ≥ this fraction of ActivityCutoff: warning. */
  warningFraction: number;
  /** Blocks since LastUpdate ≥ this fraction of ActivityCutoff: critical. */
  criticalFraction: number;
  /** This many failed attempts in a row (none landed in between): warning. */
  failureCount: number;
  /** Stake below the minimum × (1 + margin): warning; below the minimum: critical. */
  stakeMargin: number;
  /** Reminders of an open incident at most this often (0: none). */
  reminderMinutes: number;
  /** At most this many reminders per incident. */
  maxReminders: number;
  /** The webhook's body: off (no webhook), generic JSON, Slack (`text`) or Discord (`content`). */
  webhookFormat: WebhookFormat;
  /** Delivery attempts per message, with exponential backoff between them. */
  webhookAttempts: number;
  /** Backoff base: attempt n waits up to base · 2^(n−1), jittered. */
  webhookRetryBaseMs: number;
}

export const HEALTH_ENV = {
  warningFraction: 'HEALTH_WARNING_FRACTION',
  criticalFraction: 'HEALTH_CRITICAL_FRACTION',
  failureCount: 'HEALTH_FAILURE_COUNT',
  stakeMargin: 'HEALTH_STAKE_MARGIN',
  reminderMinutes: 'HEALTH_REMINDER_MINUTES',
  maxReminders: 'HEALTH_MAX_REMINDERS',
  webhookFormat: 'HEALTH_WEBHOOK_FORMAT',
  webhookAttempts: 'HEALTH_WEBHOOK_ATTEMPTS',
  webhookRetryBaseMs: 'HEALTH_WEBHOOK_RETRY_BASE_MS',
} as const satisfies Record<keyof HealthConfig, string>;

/** The secret holding the webhook's URL (bound to scheduledPublish only). */
export const HEALTH_WEBHOOK_SECRET = 'HEALTH_WEBHOOK_URL';

export const HEALTH_DEFAULTS: HealthConfig = {
  warningFraction: 0.5,
  criticalFraction: 0.8,
  failureCount: 3,
  stakeMargin: 0.1,
  reminderMinutes: 360,
  maxReminders: 12,
  webhookFormat: 'off',
  webhookAttempts: 4,
  webhookRetryBaseMs: 2000,
};

/** subtensor's DefaultActivityCutoff, where the runtime has no ActivityCutoff item. */
export const DEFAULT_ACTIVITY_CUTOFF = 5000;

export function healthConfigFromEnv(env: NodeJS.ProcessEnv = process.env): HealthConfig {
  const raw = (key: keyof HealthConfig) => {
    const value = env[HEALTH_ENV[key]];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const number = (key: keyof HealthConfig, min: number, max: number, whole: boolean) => {
    const text = raw(key) ?? String(HEALTH_DEFAULTS[key]);
    const value = Number(text);
    if (
      !Number.isFinite(value) ||
      value < min ||
      value > max ||
      (whole && !Number.isInteger(value))
    )
      throw new ConfigError(
        `${HEALTH_ENV[key]} must be ${whole ? 'a whole number' : 'a number'} in [${min}, ${max}], got "${text}"`,
      );
    return value;
  };
  const format = (raw('webhookFormat') ?? HEALTH_DEFAULTS.webhookFormat) as WebhookFormat;
  if (!WEBHOOK_FORMATS.includes(format))
    throw new ConfigError(
      `${HEALTH_ENV.webhookFormat} must be one of ${WEBHOOK_FORMATS.join(', ')}, got "${format}"`,
    );
  const config: HealthConfig = {
    warningFraction: number('warningFraction', 0.01, 1, false),
    criticalFraction: number('criticalFraction', 0.01, 1, false),
    failureCount: number('failureCount', 1, 1000, true),
    stakeMargin: number('stakeMargin', 0, 10, false),
    reminderMinutes: number('reminderMinutes', 0, 10_080, true),
    maxReminders: number('maxReminders', 0, 1000, true),
    webhookFormat: format,
    webhookAttempts: number('webhookAttempts', 1, 10, true),
    webhookRetryBaseMs: number('webhookRetryBaseMs', 0, 60_000, true),
  };
  if (config.warningFraction > config.criticalFraction)
    throw new ConfigError(
      `${HEALTH_ENV.warningFraction} (${config.warningFraction}) must not exceed ${HEALTH_ENV.criticalFraction} (${config.criticalFraction})`,
    );
  return config;
}
