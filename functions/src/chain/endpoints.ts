/** Named subtensor networks and their public endpoints (docs/chain-facts.md). */
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

/** A URL longer than this is no endpoint: refused unread. */
export const MAX_ENDPOINT_LENGTH = 2048;

/**
 * A network name (finney, test, local) or a ws:// / wss:// URL; anything else is refused. The
 * scheme is written in lower case (WsProvider refuses `WSS://`, which the URL parser accepts).
 * A refusal never repeats the value: it may be a URL with a key in it.
 */
export function resolveEndpoint(value: string): Endpoint {
  const trimmed = value.trim();
  // hasOwn: `in` would also find "constructor" and "toString" on the object's prototype.
  if (Object.hasOwn(NETWORKS, trimmed))
    return { network: trimmed as NetworkName, url: NETWORKS[trimmed as NetworkName] };
  const names = Object.keys(NETWORKS).join(', ');
  const url = trimmed.length <= MAX_ENDPOINT_LENGTH ? parseUrl(trimmed) : undefined;
  if (url === undefined) {
    throw new Error(
      `endpoint must be one of ${names} or a ws:// or wss:// URL, got ${describeValue(trimmed)}`,
    );
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    // `user:key@host` parses too, with "user" as its scheme: only web URLs are shown.
    const shown = /^https?:$/.test(url.protocol) ? publicUrl(url) : describeValue(trimmed);
    throw new Error(`endpoint must be a ws:// or wss:// URL, got ${shown}`);
  }
  // The parser drops tabs and newlines inside a URL and spaces and controls around it; the
  // socket library would not, so a URL with any of them is refused rather than guessed at.
  const normalised = trimmed.replace(/^[A-Za-z][A-Za-z0-9+.-]*:/, (scheme) => scheme.toLowerCase());
  if (!normalised.startsWith(`${url.protocol}//`) || /[\s\p{Cc}]/u.test(normalised)) {
    throw new Error(
      `endpoint must be a ws:// or wss:// URL without spaces or control characters, got ${publicUrl(url)}`,
    );
  }
  rememberEndpoint(trimmed);
  rememberEndpoint(normalised);
  return { network: 'custom', url: normalised };
}

/** Whether signing with a public development key (//Alice) can harm nobody: a chain on this machine. */
export function isLocalEndpoint(endpoint: Endpoint): boolean {
  if (endpoint.network === 'local') return true;
  const url = parseUrl(endpoint.url);
  if (url === undefined) return false;
  const host = url.hostname;
  return (
    host === 'localhost' ||
    host === '[::1]' ||
    host === 'devnet' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

/**
 * The endpoint as it may be logged and stored: providers put API keys in the path, the query or
 * the user info of a URL, so only the scheme and host of a custom endpoint are kept.
 */
export function publicEndpoint(endpoint: Endpoint): string {
  if (endpoint.network !== 'custom') return endpoint.url;
  const url = parseUrl(endpoint.url);
  return url === undefined ? 'ws://…' : publicUrl(url);
}

function publicUrl(url: URL): string {
  const hidden =
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== '/' && url.pathname !== '');
  return `${url.protocol}//${url.host}${hidden ? '/…' : ''}`;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** What a refused value is shown as: a short name as it is, else nothing of it. */
function describeValue(text: string): string {
  if (/^[A-Za-z0-9_-]{1,32}$/.test(text)) return `"${text}"`;
  return 'a value that is neither (not shown: it may hold a key)';
}

/**
 * Endpoints used in this process, and the key-bearing parts of each (user, password, path,
 * query values) with their encoded forms. A library message that quotes one is scrubbed of it
 * wherever it stands and whatever surrounds it: quotes, commas and spaces included.
 */
const known = new Map<string, { shown: string; secrets: string[] }>();
const MAX_KNOWN = 32;

/** Notes an endpoint URL whose key-bearing parts scrubEndpoints must cut out of messages. */
export function rememberEndpoint(raw: string): void {
  const url = parseUrl(raw);
  if (url === undefined || known.has(raw)) return;
  // Shorter parts are not looked for alone: they would match ordinary words. A user name or a
  // path segment is a key only when long (providers' keys are 32 characters and more).
  const parts: Array<[string, number]> = [
    [url.password, 4],
    [url.username, 8],
    ...url.pathname.split('/').map((segment): [string, number] => [segment, 12]),
    ...[...url.searchParams.values()].map((value): [string, number] => [value, 4]),
  ];
  const secrets = new Set<string>();
  for (const [part, min] of parts) {
    for (const form of [part, safeDecode(part)]) if (form.length >= min) secrets.add(form);
  }
  if (known.size >= MAX_KNOWN) known.delete(known.keys().next().value as string);
  // Longest first, so that a part is never cut out of a longer one half-way.
  const ordered = [...secrets].sort((a, b) => b.length - a.length);
  known.set(raw, { shown: publicUrl(url), secrets: ordered });
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// An endpoint URL starts at its scheme and, for the parser, runs to the next space; the parser
// then says where its host ends. Up to 8 trailing punctuation marks are tried off.
const URL_START = /\b(?:wss?|https?):\/\/\S*/gi;
// The ellipsis is not punctuation here: it is how a scrubbed URL ends, and scrubbing twice must
// change nothing.
const TRAILING = /[^A-Za-z0-9/…]{0,8}$/;

/**
 * Every endpoint URL in a message (a library's error text, say) reduced to its public form, and
 * every part of a known endpoint that could carry a key cut out: `ws://user:pa'ss@host/?k=A,B`
 * leaves `ws://host/…`, whatever the case of its scheme.
 */
export function scrubEndpoints(text: string): string {
  let scrubbed = text;
  for (const [raw, { shown, secrets }] of known) {
    scrubbed = scrubbed.split(raw).join(shown);
    for (const secret of secrets) scrubbed = scrubbed.split(secret).join('…');
  }
  return scrubbed.replace(URL_START, (token) => {
    const trailing = (TRAILING.exec(token) ?? [''])[0].length;
    // Shortest first: punctuation after a URL is the sentence's (`…?apikey=K: 1006`).
    for (let cut = trailing; cut >= 0; cut--) {
      const url = parseUrl(token.slice(0, token.length - cut));
      if (url !== undefined && /[A-Za-z0-9\]]$/.test(url.host)) {
        return publicUrl(url) + token.slice(token.length - cut);
      }
    }
    return `${token.slice(0, token.indexOf(':')).toLowerCase()}://…`;
  });
}
