import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxy } from 'proxy';

/** One request the proxy received. */
export interface ProxiedRequest {
  /** `CONNECT` for a tunnel (https), else the method of a forwarded http request. */
  method: string;
  /** `host:port` for CONNECT, the absolute URI otherwise. */
  target: string;
}

export interface ForwardProxy {
  /** `http://127.0.0.1:<port>`, for `HTTPS_PROXY` / `HTTP_PROXY`. */
  readonly url: string;
  /** Every request received so far, in arrival order. */
  requests(): ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * A real forwarding HTTP proxy on 127.0.0.1 (TooTallNate's `proxy`, the one
 * the proxy-agents packages test against): `CONNECT` tunnels for https and
 * absolute-URI forwarding for http, each request recorded.
 */
export async function startForwardProxy(): Promise<ForwardProxy> {
  const seen: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createProxy(createServer());
  server.on('request', (req) => seen.push({ method: req.method ?? '', target: req.url ?? '' }));
  server.on('connect', (req) => seen.push({ method: 'CONNECT', target: req.url ?? '' }));
  // A CONNECT tunnel leaves the server's own bookkeeping; close() must still end it.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => [...seen],
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
