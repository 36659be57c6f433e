/**
 * Firebase params: every setting of the deployed functions, with defaults and validation at deploy
 * time (`firebase deploy` asks for values without a default). At run time Firebase exposes them as
 * environment variables of the same names, which config/scoring.ts and config/publishing.ts read,
 * so the functions, the command line and the tests share one way of configuring.
 */
import { defineBoolean, defineInt, defineSecret, defineString } from 'firebase-functions/params';
import { PUBLISH_DEFAULTS, PUBLISH_ENV } from './publishing';
import { DEFAULT_SCORING_CONFIG, SCORING_ENV } from './scoring';

/** The validator hotkey, in Secret Manager; bound only to the function that signs. */
export const VALIDATOR_HOTKEY = defineSecret('VALIDATOR_HOTKEY');

/**
 * The schedule is part of the deployed trigger, so it is read when the code is loaded (at deploy,
 * from functions/.env): Cloud Scheduler syntax, default every 60 minutes.
 */
export const PUBLISH_SCHEDULE = process.env.PUBLISH_SCHEDULE?.trim() || 'every 60 minutes';

/**
 * The curated-leads trigger listens on the collection scoring reads; a trigger's path is also
 * fixed at deploy, so it is read the same way (CURATED_LEADS_COLLECTION in functions/.env).
 */
export const CURATED_LEADS_COLLECTION =
  process.env[SCORING_ENV.curatedLeadsCollection]?.trim() ||
  DEFAULT_SCORING_CONFIG.curatedLeadsCollection;

/**
 * Unchanged shares are not re-sent within this many minutes of the last successful publish: a
 * lead that changes nothing costs no extrinsic, while the hourly run still refreshes the weights.
 */
export const UNCHANGED_REPUBLISH_DEFAULT_MINUTES = 50;

export const params = [
  defineString(PUBLISH_ENV.endpoint, {
    default: PUBLISH_DEFAULTS.endpoint,
    description: 'finney, test, local, or a ws:// / wss:// endpoint URL',
  }),
  defineInt(PUBLISH_ENV.netuid, { default: PUBLISH_DEFAULTS.netuid, description: 'The subnet' }),
  defineString(PUBLISH_ENV.waitFor, {
    default: PUBLISH_DEFAULTS.waitFor,
    description: 'Wait for inclusion or for finalization',
  }),
  defineString(PUBLISH_ENV.emptyPolicy, {
    default: PUBLISH_DEFAULTS.emptyPolicy,
    description: 'When no miner has a share: uniform, skip or burn:<uid>',
  }),
  defineString(PUBLISH_ENV.minVersionKey, {
    default: PUBLISH_DEFAULTS.minVersionKey,
    description: 'Version key to use when higher than the chain WeightsVersionKey',
  }),
  defineInt(PUBLISH_ENV.attempts, {
    default: PUBLISH_DEFAULTS.attempts,
    description: 'Attempts per publish',
  }),
  defineBoolean(PUBLISH_ENV.allowSelfWeight, {
    default: PUBLISH_DEFAULTS.allowSelfWeight,
    description: "Let the validator's own hotkey keep a share when leads name it as a miner",
  }),
  defineString(SCORING_ENV.curatedLeadsCollection, {
    default: DEFAULT_SCORING_CONFIG.curatedLeadsCollection,
  }),
  defineInt(SCORING_ENV.windowDays, {
    default: DEFAULT_SCORING_CONFIG.windowDays,
    description: 'Scoring window, days',
  }),
  defineString(SCORING_ENV.curatedWeight, {
    default: String(DEFAULT_SCORING_CONFIG.curatedWeight),
  }),
  defineString(SCORING_ENV.sourcedWeight, {
    default: String(DEFAULT_SCORING_CONFIG.sourcedWeight),
  }),
  defineString(SCORING_ENV.method, {
    default: DEFAULT_SCORING_CONFIG.method,
    description:
      'auto: count from the lead rollups where they cover the window; full_scan: read every lead',
  }),
  defineInt('UNCHANGED_REPUBLISH_MINUTES', {
    default: UNCHANGED_REPUBLISH_DEFAULT_MINUTES,
    description: 'Do not re-send unchanged weights within this many minutes of the last success',
  }),
];
