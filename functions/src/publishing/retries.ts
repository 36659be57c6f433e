/**
 * One attempt per fresh connection: transient failures (timeouts, dropped connections) are retried
 * with exponential backoff and full jitter within the configured budget; chain refusals are not.
 * Whatever happens, the caller gets a result.
 */
import type { ApiPromise } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { withChain } from '../chain/connection';
import { publicEndpoint } from '../chain/endpoints';
import { classifyRpcError } from '../chain/errors';
import type { PublishConfig } from '../config/publishing';
import type { Logger } from '../logs/logger';
import * as logs from '../logs/publishing';
import { nothingSent, type Outcome, type PublishMode, type PublishResult } from './result';
import type { Decision } from './submission';

export interface RetryRequest {
  signer: KeyringPair;
  config: PublishConfig;
  log: Logger;
  /** Waits between attempts; replaceable so tests need not sleep. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs `attempt` on a fresh connection, retrying transient failures; always a result. After the
 * decision's extrinsic was signed, a failure's result names what was sent, however it failed.
 */
export async function withRetries(
  request: RetryRequest,
  mode: PublishMode,
  attempt: (api: ApiPromise, connectedAt: number) => Promise<Outcome>,
  decision?: Decision,
): Promise<PublishResult> {
  const { config, signer, log } = request;
  const sleep =
    request.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = Date.now();
  for (let n = 1; ; n++) {
    let outcome: Outcome;
    try {
      outcome = await withChain(
        { url: config.endpoint.url, connectTimeoutMs: config.connectTimeoutMs, log },
        (api) => attempt(api, Date.now()),
      );
    } catch (error) {
      const failure = classifyRpcError(error);
      if (failure.retryable && n < config.attempts) {
        const delay = backoff(config.retryBaseDelayMs, n);
        logs.attemptFailed(log, n, failure.code, failure.message, delay);
        await sleep(delay);
        continue;
      }
      outcome = {
        ...nothingSent(),
        mode,
        ...decision?.sent?.known,
        status: 'failed',
        error_code: failure.code,
        reason: failure.message,
        retryable: failure.retryable,
      };
    }
    return {
      network: config.endpoint.network,
      endpoint: publicEndpoint(config.endpoint),
      netuid: config.netuid,
      validator_hotkey: signer.address,
      ...outcome,
      attempts: n,
      timings: { ...outcome.timings, total_ms: Date.now() - started },
    };
  }
}

/** Exponential backoff with full jitter: a random delay up to base · 2^(attempt−1). */
function backoff(baseMs: number, attempt: number): number {
  return Math.round(Math.random() * baseMs * 2 ** (attempt - 1));
}
