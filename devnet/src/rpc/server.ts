/**
 * JSON-RPC 2.0 over WebSocket, as a Substrate node serves it, including subscriptions
 * (`{jsonrpc, method, params: {subscription, result}}` notifications with string ids).
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { RpcError } from '../errors';

export type Params = unknown[];

/** Where a subscription sends its notifications. */
export interface Subscriber {
  id: string;
  notify(result: unknown): void;
}

export type Method = (params: Params, client: Client) => unknown;
export type Stop = () => void;
export type SubscriptionMethod = {
  notification: string;
  unsubscribe: string[];
  /** Starts sending notifications; returns what stops them. */
  start(params: Params, subscriber: Subscriber): Stop | Promise<Stop>;
};

export class Client {
  readonly subscriptions = new Map<string, () => void>();
  constructor(readonly socket: WebSocket) {}
}

export class RpcServer {
  private wss?: WebSocketServer;
  private readonly methods = new Map<string, Method>();
  private readonly subscriptions = new Map<string, SubscriptionMethod>();
  private readonly clients = new Set<Client>();
  private nextId = 1;
  /** Told of every request's method before it is answered (tests use it to inject faults). */
  onRequest?: (method: string) => void;
  /** Told of every error that is not a deliberate RPC error: a devnet bug, worth a log line. */
  onInternalError?: (error: unknown) => void;

  method(name: string, handler: Method): void {
    this.methods.set(name, handler);
  }

  /** Serves `name` exactly as the already registered `existing` (an alias a Substrate node lists). */
  alias(name: string, existing: string): void {
    const handler = this.methods.get(existing);
    if (!handler) throw new Error(`no method ${existing} to alias as ${name}`);
    this.methods.set(name, handler);
  }

  subscription(name: string, spec: SubscriptionMethod): void {
    this.subscriptions.set(name, spec);
    for (const unsubscribe of spec.unsubscribe) {
      this.methods.set(unsubscribe, ([id], client) => {
        const stop = client.subscriptions.get(String(id));
        if (!stop) return false;
        stop();
        client.subscriptions.delete(String(id));
        return true;
      });
    }
  }

  /** Open WebSocket connections. */
  get connections(): number {
    return this.clients.size;
  }

  /** JSON-RPC requests answered so far (for counting a client's round trips). */
  requests = 0;

  get methodNames(): string[] {
    return [...this.methods.keys(), ...this.subscriptions.keys()].sort();
  }

  async listen(host: string, port: number): Promise<number> {
    const wss = new WebSocketServer({ host, port, maxPayload: 16 * 1024 * 1024 });
    this.wss = wss;
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    wss.on('connection', (socket) => this.connect(socket));
    return (wss.address() as AddressInfo).port;
  }

  /** Drops every connection abruptly, as a node restart or a network cut would. */
  dropConnections(): number {
    const count = this.clients.size;
    for (const client of this.clients) client.socket.terminate();
    return count;
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
  }

  private connect(socket: WebSocket): void {
    const client = new Client(socket);
    this.clients.add(client);
    socket.on('message', (data) => void this.receive(client, data.toString()));
    socket.on('close', () => {
      for (const stop of client.subscriptions.values()) stop();
      client.subscriptions.clear();
      this.clients.delete(client);
    });
    socket.on('error', () => socket.terminate());
  }

  private async receive(client: Client, text: string): Promise<void> {
    let request: { id?: unknown; method?: unknown; params?: unknown };
    try {
      request = JSON.parse(text);
    } catch {
      return this.send(client, {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32700, message: 'Parse error' },
      });
    }
    const { id = null, method, params = [] } = request;
    this.requests += 1;
    this.onRequest?.(String(method));
    const args = Array.isArray(params) ? params : [params];
    try {
      const name = String(method);
      const handler = this.methods.get(name);
      if (handler) {
        const result = await handler(args, client);
        return this.send(client, {
          jsonrpc: '2.0',
          id,
          result: result === undefined ? null : result,
        });
      }
      const spec = this.subscriptions.get(name);
      if (!spec) throw new RpcError(-32601, 'Method not found');
      await this.subscribe(client, id, spec, args);
    } catch (error) {
      if (!(error instanceof RpcError)) this.onInternalError?.(error);
      const rpc =
        error instanceof RpcError
          ? error
          : new RpcError(
              -32603,
              `Internal error: ${error instanceof Error ? error.message : String(error)}`,
            );
      this.send(client, {
        jsonrpc: '2.0',
        id,
        error: {
          code: rpc.code,
          message: rpc.message,
          ...(rpc.data !== undefined ? { data: rpc.data } : {}),
        },
      });
    }
  }

  /**
   * Starts a subscription. A start that throws answers the request with an error (a transaction
   * refused at submission); notifications raised while starting wait until the id is answered.
   */
  private async subscribe(
    client: Client,
    requestId: unknown,
    spec: SubscriptionMethod,
    params: Params,
  ): Promise<void> {
    const id = `devnet${this.nextId++}`;
    let queued: unknown[] | undefined = [];
    const notify = (result: unknown) =>
      this.send(client, {
        jsonrpc: '2.0',
        method: spec.notification,
        params: { subscription: id, result },
      });
    const stop = await spec.start(params, {
      id,
      notify: (result) => (queued ? queued.push(result) : notify(result)),
    });
    client.subscriptions.set(id, stop);
    this.send(client, { jsonrpc: '2.0', id: requestId, result: id });
    const pending = queued;
    queued = undefined;
    for (const result of pending) notify(result);
  }

  private send(client: Client, message: unknown): void {
    if (client.socket.readyState === client.socket.OPEN)
      client.socket.send(JSON.stringify(message));
  }
}
