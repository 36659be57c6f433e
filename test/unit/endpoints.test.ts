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
