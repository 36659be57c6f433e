import { WsProvider } from '@polkadot/api';
import { describe, expect, it } from 'vitest';
import {
  NETWORKS,
  publicEndpoint,
  resolveEndpoint,
  scrubEndpoints,
} from '../../functions/src/chain/endpoints';
import { classifyRpcError } from '../../functions/src/chain/errors';

describe('endpoints', () => {
  it('resolves network names and ws URLs, and refuses anything else', () => {
    expect(resolveEndpoint('finney')).toEqual({ network: 'finney', url: NETWORKS.finney });
    expect(resolveEndpoint('test').url).toBe(NETWORKS.test);
    expect(resolveEndpoint('local').url).toBe('ws://127.0.0.1:9944');
    expect(resolveEndpoint('wss://node.example:443')).toEqual({
      network: 'custom',
      url: 'wss://node.example:443',
    });
    expect(() => resolveEndpoint('http://node.example')).toThrow('ws:// or wss://');
    expect(() => resolveEndpoint('mainnet')).toThrow('one of finney, test, local');
  });

  it('never shows the parts of a URL where providers put API keys', () => {
    const shown = (url: string) => publicEndpoint(resolveEndpoint(url));
    expect(shown('wss://node.example:9944')).toBe('wss://node.example:9944');
    expect(shown('wss://node.example/ws?apikey=SECRET1')).toBe('wss://node.example/…');
    expect(shown('wss://node.example/v2/SECRET2')).toBe('wss://node.example/…');
    expect(shown('wss://user:SECRET3@node.example')).toBe('wss://node.example/…');
    expect(shown('finney')).toBe(NETWORKS.finney);
  });

  it('scrubs endpoint URLs out of library error messages', () => {
    const text = 'disconnected from wss://node.example/ws?apikey=SECRET4: 1006:: Abnormal Closure';
    expect(scrubEndpoints(text)).toBe(
      'disconnected from wss://node.example/…: 1006:: Abnormal Closure',
    );
    const failure = classifyRpcError(new Error(text));
    expect(failure).toMatchObject({ kind: 'connection', code: 'Disconnected' });
    expect(failure.message).not.toContain('SECRET4');
  });
});

describe('endpoint secrets (issue 12, finding 2)', () => {
  it('writes the scheme in lower case, which is all WsProvider accepts', () => {
    for (const url of ['WSS://node.example:443', 'Ws://127.0.0.1:9944', 'wS://h/x?apikey=K']) {
      const endpoint = resolveEndpoint(url);
      expect(endpoint.url).toMatch(/^wss?:\/\//);
      expect(() => new WsProvider(endpoint.url, false)).not.toThrow();
    }
  });

  it('never repeats a refused value, which may hold a key', () => {
    for (const value of [
      'http://user:SECRET5@node.example/?apikey=SECRET5',
      'user:SECRET5@node.example',
      'ftp://node.example/SECRET5',
      `ws://node.example/${'SECRET5'.repeat(1000)}`,
      'ws://node.example/SECRET5\n[FAKE] forged line',
      'constructor',
      'toString',
    ]) {
      let message = '';
      try {
        resolveEndpoint(value);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/endpoint must be/);
      expect(message).not.toContain('SECRET5');
      expect(message).not.toContain('\n');
    }
  });

  it.each([
    ['a quote in the password', "ws://user:pa'ss@node.example:9944", ["pa'ss", "'ss@"]],
    ['a comma in the key', 'wss://node.example/ws?apikey=SECRET6,KEY6', ['SECRET6', 'KEY6']],
    ['a parenthesis in the path', 'wss://node.example/v2/(SECRET7)', ['SECRET7']],
    ['an upper-case scheme', 'WSS://user:SECRET8@node.example', ['SECRET8']],
    ['a space in the password', 'ws://user:pa%20SECRET9@node.example', ['SECRET9']],
  ])('scrubs a URL with %s wherever a library quotes it', (_name, raw, secrets) => {
    const { url } = resolveEndpoint(raw);
    for (const quoted of [
      `Endpoint should start with 'ws://', received '${url}'`,
      `disconnected from ${url}: 1006:: Abnormal Closure`,
      `disconnected from ${url}. Retrying`,
      `RPC-CORE: getBlockHash(blockNumber?: BlockNumber): BlockHash:: disconnected from ${url}: 1000::`,
      `(${url}), ${raw}; "${decodeURIComponent(url)}"`,
    ]) {
      const scrubbed = scrubEndpoints(quoted);
      for (const secret of secrets) expect(scrubbed).not.toContain(secret);
      expect(scrubbed).toContain('node.example');
      expect(scrubEndpoints(scrubbed)).toBe(scrubbed);
    }
  });

  it('scrubs URLs it was never told of by parsing them, in any case', () => {
    const text =
      "refused 'WSS://u:SECRET10@other.example/x?k=SECRET11,SECRET12' and Ws://other.example:1/SECRET13.";
    const scrubbed = scrubEndpoints(text);
    expect(scrubbed).not.toMatch(/SECRET1[0-3]/);
    expect(scrubbed).toBe("refused 'wss://other.example/…' and ws://other.example:1/….");
  });

  it('stores no key when the socket library refuses the URL', () => {
    const failure = classifyRpcError(
      new Error("Endpoint should start with 'ws://', received 'WSS://user:SECRET14@h.example'"),
    );
    expect(failure.message).not.toContain('SECRET14');
  });
});
