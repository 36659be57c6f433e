/**
 * Firebase params: every setting of the deployed functions that can change without a new trigger,
 * with a default, a description and validation at deploy time (`firebase deploy` asks for each
 * that functions/.env does not set, offering the default). At run time Firebase exposes them as
 * environment variables of the same names, which config/scoring.ts and config/publishing.ts read
 * and check again (ranges a pattern cannot express), so the functions, the command line and the
 * tests share one way of configuring.
 *
 * Two settings shape a trigger itself and are read when the code is loaded, from functions/.env
 * (at deploy, firebase-tools loads that file before it reads the functions): the curated-leads
 * collection (the trigger's document path, built with a string template, which a param
 * expression cannot be part of) and the schedule (`onSchedule`'s `schedule` option is typed as a
 * plain string in firebase-functions 7). As params, a value answered at the deploy prompt would
 * reach the run time but not the trigger, which was already read: so they are not params.
 */
import { defineBoolean, defineInt, defineSecret, defineString } from 'firebase-functions/params';
import { HEALTH_DEFAULTS, HEALTH_ENV, HEALTH_WEBHOOK_SECRET } from '../health/config';
import { PUBLISH_DEFAULTS, PUBLISH_ENV } from './publishing';
import { DEFAULT_SCORING_CONFIG, SCORING_ENV } from './scoring';

/** The validator hotkey, in Secret Manager; bound only to the function that signs. */
export const VALIDATOR_HOTKEY = defineSecret('VALIDATOR_HOTKEY');

/**
 * The weight-health webhook's URL (Slack and Discord keep the key in it), in Secret Manager; bound
 * only to scheduledPublish, the function that sends. `none` when there is no webhook.
 */
export const HEALTH_WEBHOOK_URL = defineSecret(HEALTH_WEBHOOK_SECRET);

/** Read at load from functions/.env (see above): Cloud Scheduler syntax, default every 60 minutes. */
export const PUBLISH_SCHEDULE = process.env.PUBLISH_SCHEDULE?.trim() || 'every 60 minutes';

/** Read at load from functions/.env (see above): the collection scoring reads and the trigger watches. */
export const CURATED_LEADS_COLLECTION =
  process.env[SCORING_ENV.curatedLeadsCollection]?.trim() ||
  DEFAULT_SCORING_CONFIG.curatedLeadsCollection;

/**
 * Unchanged shares are not re-sent within this many minutes of the last successful publish: a
 * lead that changes nothing costs no extrinsic, while the hourly run still refreshes the weights.
 */
export const UNCHANGED_REPUBLISH_DEFAULT_MINUTES = 50;

/** Settings that are not params, with the reason (README, Configuration). */
export const LOAD_TIME_SETTINGS = ['PUBLISH_SCHEDULE', SCORING_ENV.curatedLeadsCollection] as const;

// "name@" is expanded by firebase deploy to name@<project>.iam.gserviceaccount.com.
const SERVICE_ACCOUNT = {
  validationRegex: '^[a-z0-9][a-z0-9-]{0,62}@([a-z0-9.-]+\\.gserviceaccount\\.com)?$',
  validationErrorMessage:
    'a service account: name@ (in this project) or name@project.iam.gserviceaccount.com',
};

/**
 * The identity of publishWeightsTask, the only function that reads the hotkey secret: the only
 * account to be granted secretmanager.secretAccessor on it (README, Deploying).
 */
export const PUBLISHER_SERVICE_ACCOUNT = defineString('PUBLISHER_SERVICE_ACCOUNT', {
  default: 'weights-publisher@',
  description: 'Service account of publishWeightsTask, the only one that may read the hotkey',
  input: { text: SERVICE_ACCOUNT },
});

/** The identity of every other function: Firestore, enqueuing publish tasks, logs; no secret. */
export const TRIGGERS_SERVICE_ACCOUNT = defineString('TRIGGERS_SERVICE_ACCOUNT', {
  default: 'weights-triggers@',
  description: 'Service account of the lead triggers and the schedule (no access to the hotkey)',
  input: { text: SERVICE_ACCOUNT },
});

const wholeNumber = (what: string) => ({
  text: { validationRegex: '^[0-9]+$', validationErrorMessage: `${what}: a whole number` },
});
const decimal = {
  text: { validationRegex: '^[0-9]*\\.?[0-9]+$', validationErrorMessage: 'a number, e.g. 0.6' },
};

export const params = [
  PUBLISHER_SERVICE_ACCOUNT,
  TRIGGERS_SERVICE_ACCOUNT,
  defineString(PUBLISH_ENV.endpoint, {
    default: PUBLISH_DEFAULTS.endpoint,
    description: 'finney, test, local, or a ws:// / wss:// endpoint URL',
    input: {
      text: {
        validationRegex: '^(finney|test|local|[wW][sS][sS]?://\\S+)$',
        validationErrorMessage: 'finney, test, local, or a ws:// or wss:// URL',
      },
    },
  }),
  defineInt(PUBLISH_ENV.netuid, {
    default: PUBLISH_DEFAULTS.netuid,
    description: 'The subnet (1 to 65535)',
    input: wholeNumber('netuid'),
  }),
  defineString(PUBLISH_ENV.waitFor, {
    default: PUBLISH_DEFAULTS.waitFor,
    description: 'Wait for inclusion or for finalization',
    input: { select: { options: [{ value: 'inclusion' }, { value: 'finalization' }] } },
  }),
  defineString(PUBLISH_ENV.emptyPolicy, {
    default: PUBLISH_DEFAULTS.emptyPolicy,
    description: 'When no miner has a share: uniform, skip or burn:<uid>',
    input: {
      text: {
        validationRegex: '^(uniform|skip|burn:[0-9]+)$',
        validationErrorMessage: 'uniform, skip or burn:<uid>',
      },
    },
  }),
  defineString(PUBLISH_ENV.minVersionKey, {
    default: PUBLISH_DEFAULTS.minVersionKey,
    description: 'Version key to use when higher than the chain WeightsVersionKey (a u64)',
    input: wholeNumber('version key'),
  }),
  defineInt(PUBLISH_ENV.connectTimeoutMs, {
    default: PUBLISH_DEFAULTS.connectTimeoutMs,
    description: 'Bound on connecting and loading the runtime, ms (100 to 600000)',
    input: wholeNumber('milliseconds'),
  }),
  defineInt(PUBLISH_ENV.readTimeoutMs, {
    default: PUBLISH_DEFAULTS.readTimeoutMs,
    description: 'Bound on reading the subnet state, ms (100 to 600000)',
    input: wholeNumber('milliseconds'),
  }),
  defineInt(PUBLISH_ENV.inclusionTimeoutMs, {
    default: PUBLISH_DEFAULTS.inclusionTimeoutMs,
    description: 'Bound on the wait for inclusion or finalization, ms (100 to 3600000)',
    input: wholeNumber('milliseconds'),
  }),
  defineInt(PUBLISH_ENV.attempts, {
    default: PUBLISH_DEFAULTS.attempts,
    description: 'Attempts per publish, for connection losses and timeouts (1 to 10)',
    input: wholeNumber('attempts'),
  }),
  defineInt(PUBLISH_ENV.retryBaseDelayMs, {
    default: PUBLISH_DEFAULTS.retryBaseDelayMs,
    description: 'Backoff base, ms: attempt n waits up to base * 2^(n-1), jittered (0 to 600000)',
    input: wholeNumber('milliseconds'),
  }),
  defineBoolean(PUBLISH_ENV.allowSelfWeight, {
    default: PUBLISH_DEFAULTS.allowSelfWeight,
    description: "Let the validator's own hotkey keep a share when leads name it as a miner",
  }),
  defineString(PUBLISH_ENV.mechanisms, {
    default: PUBLISH_DEFAULTS.mechanisms,
    description: 'Subnet mechanisms to weight, e.g. "0,1" (empty: every mechanism)',
  }),
  defineInt(SCORING_ENV.windowDays, {
    default: DEFAULT_SCORING_CONFIG.windowDays,
    description: 'Scoring window, days',
    input: wholeNumber('days'),
  }),
  defineString(SCORING_ENV.curatedWeight, {
    default: String(DEFAULT_SCORING_CONFIG.curatedWeight),
    description: 'Weight of the curation component',
    input: decimal,
  }),
  defineString(SCORING_ENV.sourcedWeight, {
    default: String(DEFAULT_SCORING_CONFIG.sourcedWeight),
    description: 'Weight of the sourcing component',
    input: decimal,
  }),
  defineString(SCORING_ENV.method, {
    default: DEFAULT_SCORING_CONFIG.method,
    description:
      'auto: count from the lead rollups where they cover the window; full_scan: read every lead',
    input: { select: { options: [{ value: 'auto' }, { value: 'full_scan' }] } },
  }),
  defineString(HEALTH_ENV.warningFraction, {
    default: String(HEALTH_DEFAULTS.warningFraction),
    description: 'Health: warning once LastUpdate is this fraction of ActivityCutoff old (0.01-1)',
    input: decimal,
  }),
  defineString(HEALTH_ENV.criticalFraction, {
    default: String(HEALTH_DEFAULTS.criticalFraction),
    description: 'Health: critical once LastUpdate is this fraction of ActivityCutoff old (0.01-1)',
    input: decimal,
  }),
  defineInt(HEALTH_ENV.failureCount, {
    default: HEALTH_DEFAULTS.failureCount,
    description: 'Health: warning after this many failed attempts in a row (1 to 1000)',
    input: wholeNumber('attempts'),
  }),
  defineString(HEALTH_ENV.stakeMargin, {
    default: String(HEALTH_DEFAULTS.stakeMargin),
    description:
      'Health: warning when stake is below the minimum to set weights times (1 + margin)',
    input: decimal,
  }),
  defineInt(HEALTH_ENV.reminderMinutes, {
    default: HEALTH_DEFAULTS.reminderMinutes,
    description:
      'Health: webhook reminders of an open incident at most this often, minutes (0: none)',
    input: wholeNumber('minutes'),
  }),
  defineInt(HEALTH_ENV.maxReminders, {
    default: HEALTH_DEFAULTS.maxReminders,
    description: 'Health: at most this many webhook reminders per incident',
    input: wholeNumber('reminders'),
  }),
  defineString(HEALTH_ENV.webhookFormat, {
    default: HEALTH_DEFAULTS.webhookFormat,
    description: 'Health webhook body: off, generic (JSON), slack (text) or discord (content)',
    input: {
      select: {
        options: [{ value: 'off' }, { value: 'generic' }, { value: 'slack' }, { value: 'discord' }],
      },
    },
  }),
  defineInt(HEALTH_ENV.webhookAttempts, {
    default: HEALTH_DEFAULTS.webhookAttempts,
    description: 'Health webhook: delivery attempts per message (1 to 10)',
    input: wholeNumber('attempts'),
  }),
  defineInt(HEALTH_ENV.webhookRetryBaseMs, {
    default: HEALTH_DEFAULTS.webhookRetryBaseMs,
    description:
      'Health webhook: backoff base, ms; attempt n waits up to base * 2^(n-2) (0 to 60000)',
    input: wholeNumber('milliseconds'),
  }),
  defineInt('UNCHANGED_REPUBLISH_MINUTES', {
    default: UNCHANGED_REPUBLISH_DEFAULT_MINUTES,
    description: 'Do not re-send unchanged weights within this many minutes of the last success',
    input: wholeNumber('minutes'),
  }),
];
