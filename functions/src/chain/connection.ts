/**
 * A connection to a subtensor node for one unit of work. Connecting is bounded in time, no
 * automatic reconnection happens behind the caller's back (a dropped connection fails the work,
 * retryably), and the socket is always closed afterwards, so that a function instance never
 * keeps one open.
 */
import { ApiPromise, WsProvider } from '@polkadot/api';
import { routeLibraryLogs } from '../logs/library';
import type { Logger } from '../logs/logger';
import { publicEndpoint, rememberEndpoint, scrubEndpoints } from './endpoints';
import { ChainFailure, classifyRpcError, withDeadline } from './errors';

/**
 * Subtensor's own signed extensions carry no data: declared so the api signs without warning.
 * Current runtimes list SubtensorTransactionExtension; older ones (spec 218) SubtensorSignedExtension
 * and CommitmentsSignedExtension. Only those the runtime's metadata lists are used.
 */
export const SUBTENSOR_SIGNED_EXTENSIONS = {
  SubtensorTransactionExtension: { extrinsic: {}, payload: {} },
  SubtensorSignedExtension: { extrinsic: {}, payload: {} },
  CommitmentsSignedExtension: { extrinsic: {}, payload: {} },
};

export interface ConnectionOptions {
  url: string;
  connectTimeoutMs: number;
  /** Where @polkadot's own log lines go (scrubbed); stderr lines until one is given. */
  log?: Logger;
}

export async function withChain<T>(
  options: ConnectionOptions,
  work: (api: ApiPromise) => Promise<T>,
): Promise<T> {
  // The library logs the URL it is given when a connection drops: its lines go through ours,
  // with this endpoint's key-bearing parts cut out.
  rememberEndpoint(options.url);
  routeLibraryLogs(scrubEndpoints, options.log);
  const provider = new WsProvider(options.url, false);
  // Messages end up in logs and the audit trail: never with the URL's key-bearing parts.
  const shown = publicEndpoint({ network: 'custom', url: options.url });
  let api: ApiPromise | undefined;
  let lost: ((failure: ChainFailure) => void) | undefined;
  const disconnected = new Promise<never>((_, reject) => {
    lost = reject;
  });
  disconnected.catch(() => undefined);
  try {
    await withDeadline(`connecting to ${shown}`, options.connectTimeoutMs, connect(provider));
    api = await withDeadline(
      `loading the runtime from ${shown}`,
      options.connectTimeoutMs,
      ApiPromise.create({
        provider,
        signedExtensions: SUBTENSOR_SIGNED_EXTENSIONS,
        noInitWarn: true,
        throwOnConnect: true,
      }),
    );
    provider.on('disconnected', () =>
      lost?.(new ChainFailure('connection', 'Disconnected', `connection to ${shown} was lost`)),
    );
    return await Promise.race([work(api), disconnected]);
  } catch (error) {
    throw classifyRpcError(error);
  } finally {
    lost = undefined;
    await (api ? api.disconnect() : provider.disconnect()).catch(() => undefined);
  }
}

/** Resolves once connected; rejects at the first socket error rather than waiting out the deadline. */
async function connect(provider: WsProvider): Promise<void> {
  const failed = new Promise<never>((_, reject) => {
    const off = provider.on('error', (error: unknown) => {
      off();
      reject(
        new ChainFailure('connection', 'ConnectionFailed', `cannot connect: ${describe(error)}`),
      );
    });
  });
  failed.catch(() => undefined);
  await provider.connect();
  await Promise.race([provider.isReady, failed]);
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  const event = error as { message?: string; error?: { message?: string } } | undefined;
  return event?.error?.message ?? event?.message ?? 'WebSocket error';
}
