// A fault-injecting TCP proxy on 127.0.0.1, in front of a node's WebSocket port: clients connect
// to the proxy's url as to the node, and a test breaks the path between them at will, as a flaky
// network or a load balancer would: drop every connection now, refuse new ones for a while, or
// stall (hold every byte both ways) for a while. It works on raw TCP, so it never parses or
// changes what the client and the node say; it only cuts, refuses and delays.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface FaultProxy {
  /** `ws://127.0.0.1:<port>`: what a client uses instead of the node's url. */
  url: string;
  port: number;
  /** Where the proxy forwards to; change it to point at a restarted node. */
  target: { host: string; port: number };
  /** Destroys every open connection (both sides) now; returns how many. */
  dropAll(): number;
  /**
   * Refuses new connections: each is closed (reset) as soon as it is accepted, for `ms` or, with
   * no argument, until `accept()`. With `{ listen: false }` the proxy stops listening instead, so
   * a connect fails with ECONNREFUSED, as for a node that is down.
   */
  refuse(ms?: number, options?: { listen?: boolean }): Promise<void>;
  /** Accepts connections again. */
  accept(): Promise<void>;
  /**
   * Holds every byte both ways (open and new connections) for `ms` or until `resume()`; held bytes
   * are delivered, in order, when it ends.
   */
  stall(ms?: number): void;
  resume(): void;
  /** Open connections, connections accepted and refused so far. */
  readonly stats: { open: number; accepted: number; refused: number };
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

export async function startFaultProxy(
  target: { host?: string; port: number },
  port = 0,
): Promise<FaultProxy> {
  const pairs = new Set<Pair>();
  const stats = { open: 0, accepted: 0, refused: 0 };
  let refusing = false;
  let refuseTimer: NodeJS.Timeout | undefined;
  let stalled = false;
  let stallTimer: NodeJS.Timeout | undefined;
  const held: Array<() => void> = [];
  const forwarding = { host: target.host ?? '127.0.0.1', port: target.port };

  /** Forwards `from` → `to`, holding chunks while stalled. */
  const pipe = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => {
      const write = () => {
        if (!to.destroyed) to.write(chunk);
      };
      if (stalled) held.push(write);
      else write();
    });
  };

  const onConnection = (client: Socket) => {
    if (refusing) {
      stats.refused += 1;
      client.resetAndDestroy();
      return;
    }
    stats.accepted += 1;
    client.setNoDelay(true);
    const upstream = connect({ host: forwarding.host, port: forwarding.port });
    upstream.setNoDelay(true);
    const pair = { client, upstream };
    pairs.add(pair);
    stats.open = pairs.size;
    const close = () => {
      if (!pairs.delete(pair)) return;
      stats.open = pairs.size;
      client.destroy();
      upstream.destroy();
    };
    pipe(client, upstream);
    pipe(upstream, client);
    for (const socket of [client, upstream]) {
      socket.on('error', close);
      socket.on('close', close);
      socket.on('end', close);
    }
  };

  let server: Server = createServer(onConnection);
  const listen = (on: Server, at: number) =>
    new Promise<number>((resolve, reject) => {
      on.once('error', reject);
      on.listen(at, '127.0.0.1', () => {
        on.off('error', reject);
        const address = on.address();
        resolve(typeof address === 'object' && address ? address.port : at);
      });
    });
  const listening = () => server.listening;
  const stopListening = () =>
    new Promise<void>((resolve) => (listening() ? server.close(() => resolve()) : resolve()));
  const actualPort = await listen(server, port);

  const flush = () => {
    for (const write of held.splice(0)) write();
  };

  const proxy: FaultProxy = {
    url: `ws://127.0.0.1:${actualPort}`,
    port: actualPort,
    target: forwarding,
    stats,
    dropAll() {
      const count = pairs.size;
      for (const { client, upstream } of [...pairs]) {
        client.resetAndDestroy();
        upstream.destroy();
      }
      pairs.clear();
      stats.open = 0;
      return count;
    },
    async refuse(ms, options = {}) {
      clearTimeout(refuseTimer);
      refusing = true;
      if (options.listen === false) await stopListening();
      if (ms !== undefined) refuseTimer = setTimeout(() => void proxy.accept(), ms);
    },
    async accept() {
      clearTimeout(refuseTimer);
      refusing = false;
      if (!listening()) {
        server = createServer(onConnection);
        // The same port again (nothing else takes it in a test's few seconds, usually).
        for (let tries = 0; ; tries++) {
          try {
            await listen(server, actualPort);
            break;
          } catch (error) {
            if (tries > 50) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      }
    },
    stall(ms) {
      clearTimeout(stallTimer);
      stalled = true;
      if (ms !== undefined) stallTimer = setTimeout(() => proxy.resume(), ms);
    },
    resume() {
      clearTimeout(stallTimer);
      stalled = false;
      flush();
    },
    async close() {
      clearTimeout(refuseTimer);
      clearTimeout(stallTimer);
      held.length = 0;
      proxy.dropAll();
      await stopListening();
    },
  };
  return proxy;
}
