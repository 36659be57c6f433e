// A WebSocket endpoint on 127.0.0.1 that completes the handshake and drops the connection at the
// first frame: the library then reports the lost connection, quoting the URL it was given.
import { createHash } from 'node:crypto';
import { createServer, type Socket } from 'node:net';

export interface DroppingNode {
  port: number;
  stop(): Promise<void>;
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function startDroppingNode(): Promise<DroppingNode> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let upgraded = false;
    socket.on('data', (data) => {
      if (upgraded) {
        socket.destroy();
        return;
      }
      const key = /Sec-WebSocket-Key: *(.*)\r\n/i.exec(data.toString('latin1'))?.[1] ?? '';
      const accept = createHash('sha1').update(`${key}${WS_GUID}`).digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      upgraded = true;
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : 0,
        stop: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
