/** Settings that decide how miners are scored. One place reads and validates them. */
export interface ScoringConfig {
  /** Collection holding one document per lead delivered to a buyer. */
  curatedLeadsCollection: string;
  /** Leads created in the last `windowDays` days count. */
  windowDays: number;
  /** Weight of the curation component (leads a miner curated). */
  curatedWeight: number;
  /** Weight of the sourcing component (curated leads a miner sourced). */
  sourcedWeight: number;
  /** `auto`: from the rollups where they cover the window; `full_scan`: read every lead. */
  method: ScoringMethodSetting;
}

export const SCORING_METHODS = ['auto', 'full_scan'] as const;
export type ScoringMethodSetting = (typeof SCORING_METHODS)[number];

export const DEFAULT_SCORING_CONFIG: Readonly<ScoringConfig> = Object.freeze({
  curatedLeadsCollection: 'curated_leads',
  windowDays: 30,
  curatedWeight: 0.6,
  sourcedWeight: 0.4,
  method: 'auto',
});

/** Environment variables that override the defaults (the same names the functions' params use). */
export const SCORING_ENV = {
  curatedLeadsCollection: 'CURATED_LEADS_COLLECTION',
  windowDays: 'SCORING_WINDOW_DAYS',
  curatedWeight: 'CURATED_WEIGHT',
  sourcedWeight: 'SOURCED_WEIGHT',
  method: 'SCORING_METHOD',
} as const satisfies Record<keyof ScoringConfig, string>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Longest window accepted: ten years, far past any lead's useful life. */
const MAX_WINDOW_DAYS = 3650;

export function validateScoringConfig(config: ScoringConfig): ScoringConfig {
  const { curatedLeadsCollection, windowDays, curatedWeight, sourcedWeight, method } = config;
  if (!/^[^/]+$/.test(curatedLeadsCollection)) {
    throw new ConfigError(
      `curated leads collection must be a top-level collection name, got "${curatedLeadsCollection}"`,
    );
  }
  if (!Number.isFinite(windowDays) || windowDays <= 0 || windowDays > MAX_WINDOW_DAYS) {
    throw new ConfigError(
      `window must be a number of days in (0, ${MAX_WINDOW_DAYS}], got ${windowDays}`,
    );
  }
  for (const [name, value] of [
    ['curated weight', curatedWeight],
    ['sourced weight', sourcedWeight],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) {
      throw new ConfigError(`${name} must be a non-negative number, got ${value}`);
    }
  }
  if (!(SCORING_METHODS as readonly string[]).includes(method)) {
    throw new ConfigError(
      `scoring method must be ${SCORING_METHODS.join(' or ')}, got "${method}"`,
    );
  }
  if (curatedWeight + sourcedWeight <= 0) {
    throw new ConfigError('curated and sourced weights must not both be zero');
  }
  return config;
}

/** Defaults, overridden by the environment variables in SCORING_ENV, validated. */
export function scoringConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ScoringConfig {
  const number = (key: 'windowDays' | 'curatedWeight' | 'sourcedWeight'): number | undefined => {
    const raw = env[SCORING_ENV[key]];
    if (raw === undefined || raw.trim() === '') return undefined;
    const value = Number(raw);
    if (Number.isNaN(value))
      throw new ConfigError(`${SCORING_ENV[key]} must be a number, got "${raw}"`);
    return value;
  };
  return validateScoringConfig({
    curatedLeadsCollection:
      env[SCORING_ENV.curatedLeadsCollection]?.trim() ||
      DEFAULT_SCORING_CONFIG.curatedLeadsCollection,
    windowDays: number('windowDays') ?? DEFAULT_SCORING_CONFIG.windowDays,
    curatedWeight: number('curatedWeight') ?? DEFAULT_SCORING_CONFIG.curatedWeight,
    sourcedWeight: number('sourcedWeight') ?? DEFAULT_SCORING_CONFIG.sourcedWeight,
    method: (env[SCORING_ENV.method]?.trim() ||
      DEFAULT_SCORING_CONFIG.method) as ScoringMethodSetting,
  });
}
