/**
 * What went wrong on the way to the chain, classified once: a transient failure (connection,
 * timeout) is worth retrying; a chain refusal (bad version key, no permit, …) is not.
 */
import { scrubEndpoints } from './endpoints';

/**
 * `unsupported`: the connected runtime lacks an item the publisher needs (never retried).
 * `unknown`: an extrinsic was sent and its fate could not be read; only the chain can settle it.
 */
export type FailureKind =
  'connection' | 'timeout' | 'unknown' | 'refused' | 'invalid' | 'config' | 'unsupported';

export class ChainFailure extends Error {
  override name = 'ChainFailure';

  constructor(
    readonly kind: FailureKind,
    /** The chain's error name (a module error, `Custom(6)`, …) or a short code of ours. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  get retryable(): boolean {
    return this.kind === 'connection' || this.kind === 'timeout' || this.kind === 'unknown';
  }
}

/** Runs `work` with a deadline; past it, a retryable timeout failure. */
export async function withDeadline<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ChainFailure('timeout', 'Timeout', `${what} took longer than ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Subtensor's CustomTransactionError codes, for 1010 rejections (docs/chain-facts.md). */
const CUSTOM_ERRORS: Record<number, string> = {
  1: 'StakeAmountTooLow',
  6: 'RateLimitExceeded',
  15: 'InvalidRevealRound',
  16: 'CommitNotFound',
  17: 'CommitBlockNotInRevealRange',
  18: 'InputLengthsUnequal',
  255: 'BadRequest',
};

/**
 * Classifies an error thrown by @polkadot/api: a JSON-RPC rejection of the transaction (1010
 * invalid, 1014 priority too low, …), a lost connection, or something else.
 */
export function classifyRpcError(error: unknown): ChainFailure {
  if (error instanceof ChainFailure) return error;
  // Library messages may quote the endpoint URL, API key and all: never let that through.
  const message = scrubEndpoints(error instanceof Error ? error.message : String(error));
  const rpc = /^(-?\d+): (.*)$/s.exec(message);
  if (rpc) {
    const code = Number(rpc[1]);
    const text = rpc[2];
    if (code === 1010) {
      const custom = /Custom error: (\d+)/.exec(text);
      const name = custom
        ? (CUSTOM_ERRORS[Number(custom[1])] ?? `Custom(${custom[1]})`)
        : invalidName(text);
      return new ChainFailure('refused', name, `transaction rejected by the node: ${text}`);
    }
    if (code === 1014)
      return new ChainFailure(
        'connection',
        'PriorityTooLow',
        `another transaction with the same nonce is pending: ${text}`,
      );
    if (code === 1012 || code === 1013)
      return new ChainFailure(
        'refused',
        code === 1012 ? 'TemporarilyBanned' : 'AlreadyImported',
        text,
      );
    return new ChainFailure('invalid', `Rpc${code}`, text);
  }
  if (/disconnected|not connected|WebSocket|ECONNREFUSED|socket|closed/i.test(message)) {
    return new ChainFailure(
      'connection',
      'Disconnected',
      `connection to the chain lost: ${message}`,
    );
  }
  return new ChainFailure('invalid', 'Unexpected', message);
}

function invalidName(text: string): string {
  if (/bad signature/i.test(text)) return 'BadProof';
  if (/outdated/i.test(text)) return 'Stale';
  if (/ancient birth block/i.test(text)) return 'AncientBirthBlock';
  if (/pay some fees/i.test(text)) return 'Payment';
  if (/future/i.test(text)) return 'Future';
  return 'InvalidTransaction';
}
