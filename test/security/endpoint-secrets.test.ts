// An endpoint's user, password and API key never reach a log line, the terminal or the audit
// trail (issue 12, finding 2): `weights publish` against a node that drops the connection, with
// the key-bearing URL in each form an operator may write it.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../functions/src/cli/main';
import { testFirestore } from '../support/firestore';
import { startDroppingNode, type DroppingNode } from './fake-node';

// A validator key known only to this test (BIP-39 test vector); it is never registered anywhere.
const SECRET = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
const store = testFirestore('endpoint-secrets');
let node: DroppingNode;
let output = '';

beforeAll(async () => {
  node = await startDroppingNode();
  // Everything that reaches the terminal: the streams, and the console (which @polkadot's
  // logger writes to), spied before the publisher first connects.
  const capture = (chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      output += `${args.map(String).join(' ')}\n`;
    });
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  await node.stop();
  await store.close();
});

/** `weights <args>` in this process, as an operator runs it; its exit code and all it printed. */
async function weights(args: string[]): Promise<{ code: number; output: string }> {
  output = '';
  const code = await run(args, {
    ...process.env,
    GCLOUD_PROJECT: store.projectId,
    VALIDATOR_HOTKEY: SECRET,
    PUBLISH_ATTEMPTS: '1',
    CHAIN_CONNECT_TIMEOUT_MS: '3000',
  });
  return { code, output };
}

const SECRETS = ["pa'ssW0RD", 'S3CRET', 'K3Y', 'user:'];

function expectNoSecret(text: string) {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('endpoint secrets in weights publish', () => {
  // wss:// to this plain node fails in the TLS handshake, before any frame: ConnectionFailed.
  it.each([
    [
      'lower case',
      'Disconnected',
      (port: number) => `ws://user:pa'ssW0RD@127.0.0.1:${port}/ws?apikey=S3CRET,K3Y`,
    ],
    [
      'upper case',
      'ConnectionFailed',
      (port: number) => `WSS://user:pa'ssW0RD@127.0.0.1:${port}/ws?apikey=S3CRET,K3Y`,
    ],
    [
      'mixed case',
      'Disconnected',
      (port: number) => `Ws://user:pa'ssW0RD@127.0.0.1:${port}/(S3CRET)?k=K3Y`,
    ],
  ])(
    'a %s scheme is accepted, and nothing prints or stores the key',
    async (_name, code, endpoint) => {
      await store.clear();
      const url = endpoint(node.port);
      const run = await weights(['publish', '--endpoint', url]);
      expect(run.code).toBe(1);
      expectNoSecret(run.output);
      // The socket library took the URL (no refusal of its scheme); ws:// got as far as the
      // library's own lines, which are there, scrubbed.
      expect(run.output).not.toMatch(/should start with/);
      if (code === 'Disconnected') {
        expect(run.output).toMatch(/RPC-CORE: .* disconnected from ws:\/\/127\.0\.0\.1:\d+\/…/);
      }
      const records = await store.db.collection('weight_transactions').get();
      expect(records.size).toBe(1);
      const record = records.docs[0].data();
      expect(record.endpoint).toMatch(/^wss?:\/\/127\.0\.0\.1:\d+\/…$/);
      expect(record.error_code).toBe(code);
      expectNoSecret(JSON.stringify(record));
    },
  );

  it('a refused endpoint is not echoed', async () => {
    for (const url of [
      "http://user:pa'ssW0RD@127.0.0.1:1/?apikey=S3CRET,K3Y",
      'user:S3CRET@127.0.0.1:9944',
      'ws://127.0.0.1:1/S3CRET\nK3Y',
    ]) {
      const run = await weights(['publish', '--endpoint', url]);
      expect(run.code).toBe(2);
      expect(run.output).toMatch(/endpoint must be/);
      expectNoSecret(run.output);
    }
  });
});
