import net from 'node:net';
import { once } from 'node:events';

/**
 * A TCP relay between the service and PostgreSQL that a test can cut, black-hole and restore, to
 * simulate the database becoming unreachable (and coming back) without touching the real server.
 */
export interface TcpProxy {
  port: number;
  /** Drops every relayed connection and refuses new ones (accept, then reset). */
  cut(): void;
  /**
   * Packets vanish: relayed connections stay open but carry nothing either way, and new ones are
   * accepted but never reach the server (no reset, no answer), like a dead route or a dropped
   * security-group rule. Whatever is sent meanwhile is delivered on `restore()`.
   */
  blackhole(): void;
  restore(): void;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream?: net.Socket;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let mode: 'relay' | 'cut' | 'blackhole' = 'relay';
  const sockets = new Set<net.Socket>();
  const pairs = new Set<Pair>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const relay = (pair: Pair) => {
    if (!pair.upstream) {
      const upstream = net.connect(targetPort, targetHost);
      track(upstream);
      pair.upstream = upstream;
      pair.client.on('close', () => upstream.destroy());
      upstream.on('close', () => {
        pair.client.destroy();
        pairs.delete(pair);
      });
    }
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
  };
  const hold = (pair: Pair) => {
    // Stop reading both ways: bytes wait in the socket buffers, nothing is answered or reset.
    pair.client.unpipe();
    pair.client.pause();
    pair.upstream?.unpipe();
    pair.upstream?.pause();
  };
  const server = net.createServer((client) => {
    track(client);
    if (mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client };
    pairs.add(pair);
    client.on('close', () => pairs.delete(pair));
    if (mode === 'blackhole') hold(pair);
    else relay(pair);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    cut() {
      mode = 'cut';
      for (const socket of sockets) socket.destroy();
    },
    blackhole() {
      mode = 'blackhole';
      for (const pair of pairs) hold(pair);
    },
    restore() {
      const held = mode === 'blackhole';
      mode = 'relay';
      if (held) for (const pair of pairs) if (!pair.client.destroyed) relay(pair);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The same connection string with host and port replaced by the proxy's. */
export function viaProxy(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
}
