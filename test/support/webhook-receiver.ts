// A webhook receiver on 127.0.0.1: records every POST (path and JSON body) and answers with the
// statuses it is told to, in order, then 200.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  path: string;
  body: Record<string, unknown>;
  status: number;
}

export interface WebhookReceiver {
  /** A URL with a secret-looking path, as Slack's and Discord's are. */
  url: string;
  secretPath: string;
  received: ReceivedHook[];
  /** The next answers (HTTP statuses), before it answers 200 again. */
  answer(...statuses: number[]): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const queue: number[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += String(chunk)));
    request.on('end', () => {
      const status = queue.shift() ?? 200;
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        body = { unparsed: raw };
      }
      received.push({ path: request.url ?? '', body, status });
      response
        .writeHead(status, { 'content-type': 'text/plain' })
        .end(status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const secretPath = `/hooks/T0SECRET/B0SECRET/${'x'.repeat(8)}s3cr3tT0k3n`;
  return {
    url: `http://127.0.0.1:${port}${secretPath}`,
    secretPath,
    received,
    answer: (...statuses) => queue.push(...statuses),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
