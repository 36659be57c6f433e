/** Named subtensor networks and their public endpoints (shared/chain-facts.md). */
export const NETWORKS = {
  finney: 'wss://entrypoint-finney.opentensor.ai:443',
  test: 'wss://test.finney.opentensor.ai:443',
  local: 'ws://127.0.0.1:9944',
} as const;

export type NetworkName = keyof typeof NETWORKS;

export interface Endpoint {
  /** The network's name, or "custom" for a URL given directly. */
  network: NetworkName | 'custom';
  url: string;
}

/** A network name (finney, test, local) or a ws:// / wss:// URL; anything else is refused. */
export function resolveEndpoint(value: string): Endpoint {
  const trimmed = value.trim();
  if (trimmed in NETWORKS)
    return { network: trimmed as NetworkName, url: NETWORKS[trimmed as NetworkName] };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Error(
      `endpoint must be one of ${Object.keys(NETWORKS).join(', ')} or a ws:// or wss:// URL, got "${value}"`,
    );
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new Error(`endpoint must be a ws:// or wss:// URL, got "${value}"`);
  }
  return { network: 'custom', url: trimmed };
}

/**
 * The endpoint as it may be logged and stored: providers put API keys in the path, the query or
 * the user info of a URL, so only the scheme and host of a custom endpoint are kept.
 */
export function publicEndpoint(endpoint: Endpoint): string {
  if (endpoint.network !== 'custom') return endpoint.url;
  const url = new URL(endpoint.url);
  const hidden =
    url.username || url.password || url.search || (url.pathname !== '/' && url.pathname !== '');
  return `${url.protocol}//${url.host}${hidden ? '/…' : ''}`;
}

/** Any ws:// or wss:// URL in a message (a library's error text, say), reduced to its public form. */
export function scrubEndpoints(text: string): string {
  return text.replace(/wss?:\/\/[^\s'"),]+/g, (url) => {
    try {
      return (
        publicEndpoint({ network: 'custom', url: url.replace(/[.:]+$/, '') }) +
        (/[.:]+$/.exec(url)?.[0] ?? '')
      );
    } catch {
      return 'ws://…';
    }
  });
}
