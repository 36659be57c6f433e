/** Settings of chain publishing, read and validated in one place. */
import { resolveEndpoint, type Endpoint } from '../chain/endpoints';
import type { WaitFor } from '../chain/submit';
import { ConfigError } from './scoring';

/** What to publish when no registered miner has a share: the SDK's uniform weights (default), all to one uid, or nothing. */
export type EmptyPolicy = { kind: 'uniform' } | { kind: 'burn'; uid: number } | { kind: 'skip' };

export interface PublishConfig {
  endpoint: Endpoint;
  netuid: number;
  waitFor: WaitFor;
  emptyPolicy: EmptyPolicy;
  /** A version key to use when higher than the chain's WeightsVersionKey. */
  minVersionKey: bigint;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  inclusionTimeoutMs: number;
  /** Attempts in all, for transient failures (connection, timeout); refusals are never retried. */
  attempts: number;
  retryBaseDelayMs: number;
  /**
   * Whether the validator's own hotkey keeps a share when leads name it as a miner (absent:
   * false). Leads are the miners' data, so by default the validator never votes for itself.
   */
  allowSelfWeight?: boolean;
  /**
   * The subnet mechanisms to weight, each with the shares of the one scoring (absent or empty:
   * every mechanism the subnet has). A mechanism the subnet lacks is refused by name before
   * anything is sent (docs/mechanisms.md).
   */
  mechanisms?: number[];
}

export const PUBLISH_ENV = {
  endpoint: 'SUBTENSOR_NETWORK',
  netuid: 'NETUID',
  waitFor: 'WAIT_FOR',
  emptyPolicy: 'EMPTY_WEIGHTS_POLICY',
  minVersionKey: 'WEIGHTS_VERSION_KEY',
  connectTimeoutMs: 'CHAIN_CONNECT_TIMEOUT_MS',
  readTimeoutMs: 'CHAIN_READ_TIMEOUT_MS',
  inclusionTimeoutMs: 'CHAIN_INCLUSION_TIMEOUT_MS',
  attempts: 'PUBLISH_ATTEMPTS',
  retryBaseDelayMs: 'PUBLISH_RETRY_BASE_MS',
  allowSelfWeight: 'ALLOW_SELF_WEIGHT',
  mechanisms: 'PUBLISH_MECHANISMS',
} as const satisfies Record<keyof PublishConfig, string>;

export const PUBLISH_DEFAULTS = {
  endpoint: 'finney',
  netuid: 401,
  waitFor: 'inclusion',
  emptyPolicy: 'uniform',
  minVersionKey: '0',
  connectTimeoutMs: 15_000,
  readTimeoutMs: 15_000,
  // Five 12-second blocks for inclusion; finalization takes a few more.
  inclusionTimeoutMs: 60_000,
  attempts: 3,
  retryBaseDelayMs: 2_000,
  allowSelfWeight: false,
  mechanisms: '',
} as const;

/**
 * The longest one publish can take with these settings: every attempt connecting, reading and
 * waiting for inclusion to the end, the backoffs between them at their largest, and a minute for
 * scoring and Firestore.
 */
export function worstCasePublishMs(config: PublishConfig): number {
  const perAttempt = config.connectTimeoutMs + config.readTimeoutMs + config.inclusionTimeoutMs;
  let backoffs = 0;
  for (let n = 1; n < config.attempts; n++) backoffs += config.retryBaseDelayMs * 2 ** (n - 1);
  return config.attempts * perAttempt + backoffs + 60_000;
}

export function parseEmptyPolicy(text: string): EmptyPolicy {
  const value = text.trim();
  if (value === 'uniform' || value === 'skip') return { kind: value };
  const burn = /^burn:(\d+)$/.exec(value);
  if (burn && Number(burn[1]) <= 65535) return { kind: 'burn', uid: Number(burn[1]) };
  throw new ConfigError(`empty-weights policy must be uniform, skip or burn:<uid>, got "${text}"`);
}

export function publishConfigFromEnv(env: NodeJS.ProcessEnv = process.env): PublishConfig {
  const raw = (key: keyof PublishConfig) => {
    const value = env[PUBLISH_ENV[key]];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const whole = (key: keyof PublishConfig, fallback: number, min: number, max: number) => {
    const text = raw(key) ?? String(fallback);
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(
        `${PUBLISH_ENV[key]} must be a whole number in [${min}, ${max}], got "${text}"`,
      );
    }
    return value;
  };
  const waitFor = raw('waitFor') ?? PUBLISH_DEFAULTS.waitFor;
  if (waitFor !== 'inclusion' && waitFor !== 'finalization') {
    throw new ConfigError(
      `${PUBLISH_ENV.waitFor} must be inclusion or finalization, got "${waitFor}"`,
    );
  }
  const versionKey = raw('minVersionKey') ?? PUBLISH_DEFAULTS.minVersionKey;
  if (!/^\d+$/.test(versionKey) || BigInt(versionKey) >= 2n ** 64n) {
    throw new ConfigError(`${PUBLISH_ENV.minVersionKey} must be a u64, got "${versionKey}"`);
  }
  const selfWeight = raw('allowSelfWeight') ?? String(PUBLISH_DEFAULTS.allowSelfWeight);
  if (selfWeight !== 'true' && selfWeight !== 'false') {
    throw new ConfigError(
      `${PUBLISH_ENV.allowSelfWeight} must be true or false, got "${selfWeight}"`,
    );
  }
  const mechanisms = parseMechanisms(raw('mechanisms') ?? PUBLISH_DEFAULTS.mechanisms);
  let endpoint: Endpoint;
  try {
    endpoint = resolveEndpoint(raw('endpoint') ?? PUBLISH_DEFAULTS.endpoint);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return {
    endpoint,
    netuid: whole('netuid', PUBLISH_DEFAULTS.netuid, 1, 65535),
    waitFor,
    emptyPolicy: parseEmptyPolicy(raw('emptyPolicy') ?? PUBLISH_DEFAULTS.emptyPolicy),
    minVersionKey: BigInt(versionKey),
    connectTimeoutMs: whole('connectTimeoutMs', PUBLISH_DEFAULTS.connectTimeoutMs, 100, 600_000),
    readTimeoutMs: whole('readTimeoutMs', PUBLISH_DEFAULTS.readTimeoutMs, 100, 600_000),
    inclusionTimeoutMs: whole(
      'inclusionTimeoutMs',
      PUBLISH_DEFAULTS.inclusionTimeoutMs,
      100,
      3_600_000,
    ),
    attempts: whole('attempts', PUBLISH_DEFAULTS.attempts, 1, 10),
    retryBaseDelayMs: whole('retryBaseDelayMs', PUBLISH_DEFAULTS.retryBaseDelayMs, 0, 600_000),
    allowSelfWeight: selfWeight === 'true',
    ...(mechanisms.length ? { mechanisms } : {}),
  };
}

/** "0,2": mechanism ids (u8, MechId), each once; "" or "all": every mechanism of the subnet. */
export function parseMechanisms(text: string): number[] {
  const value = text.trim();
  if (value === '' || value === 'all') return [];
  const ids = value.split(',').map((part) => part.trim());
  if (ids.some((id) => !/^\d+$/.test(id) || Number(id) > 255) || new Set(ids).size !== ids.length)
    throw new ConfigError(
      `${PUBLISH_ENV.mechanisms} must be "all" or distinct mechanism ids 0-255 separated by commas, got "${text}"`,
    );
  return ids.map(Number).sort((a, b) => a - b);
}
