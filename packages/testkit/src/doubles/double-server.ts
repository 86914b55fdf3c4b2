import { createServer, type IncomingHttpHeaders, type IncomingMessage, type RequestListener } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readText } from '../request-body.js';

/** What a contract double answers: a string body goes out as it is (its content type in `headers`), anything else as JSON. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One request as a double sees it: the path, the body (as text and as a form) and the Basic credentials, if any. */
export interface DoubleRequest {
  method: string;
  path: string;
  form: URLSearchParams;
  basic?: { username: string; password: string };
  /** The query string as sent, `?` included (empty when there is none). */
  search: string;
  /** The headers as received, for doubles that check signatures over them. */
  headers: IncomingHttpHeaders;
  /** The body as received. */
  text: string;
}

export interface DoubleServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** HTTPS settings of a double; with `clientCa`, a client certificate signed by that CA is required (mutual TLS). */
export interface DoubleTls {
  cert: string;
  key: string;
  clientCa?: string;
}

/** A loopback HTTP server for a contract double: form bodies in, JSON out; HTTPS with `tls` (e.g. a `createTestCA` certificate). */
export async function serveDouble(
  handle: (request: DoubleRequest) => Promise<Reply> | Reply,
  options: { tls?: DoubleTls } = {},
): Promise<DoubleServer> {
  const listener: RequestListener = (req, res) => {
    void (async () => {
      let reply: Reply;
      try {
        reply = await handle(await toRequest(req));
      } catch (error) {
        reply = { status: 500, body: { error: 'server_error', error_description: String(error) } };
      }
      const raw = typeof reply.body === 'string';
      const content = reply.body === undefined ? '' : raw ? (reply.body as string) : JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        ...(reply.body === undefined || raw ? {} : { 'content-type': 'application/json; charset=utf-8' }),
        'cache-control': 'no-store',
        ...reply.headers,
      });
      res.end(content);
    })();
  };
  const { tls } = options;
  const server =
    tls === undefined
      ? createServer(listener)
      : createTlsServer(
          { cert: tls.cert, key: tls.key, ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }) },
          listener,
        );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function toRequest(req: IncomingMessage): Promise<DoubleRequest> {
  const url = new URL(req.url ?? '/', 'http://double');
  const text = await readText(req);
  const form = req.method === 'POST' ? new URLSearchParams(text) : url.searchParams;
  const authorization = req.headers.authorization;
  let basic: DoubleRequest['basic'];
  if (authorization?.startsWith('Basic ')) {
    const [username = '', password = ''] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':');
    basic = { username: decodeURIComponent(username.replace(/\+/g, ' ')), password: decodeURIComponent(password.replace(/\+/g, ' ')) };
  }
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    form,
    ...(basic === undefined ? {} : { basic }),
    search: url.search,
    headers: req.headers,
    text,
  };
}
