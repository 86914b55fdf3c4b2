import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readText } from '../request-body.js';

/** What a contract double answers. */
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
  /** The request body as received (JSON APIs parse it themselves). */
  text: string;
  basic?: { username: string; password: string };
}

export interface DoubleServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** A loopback HTTP server for a contract double: form bodies in, JSON out. */
export async function serveDouble(handle: (request: DoubleRequest) => Promise<Reply> | Reply): Promise<DoubleServer> {
  const server = createServer((req, res) => {
    void (async () => {
      let reply: Reply;
      try {
        reply = await handle(await toRequest(req));
      } catch (error) {
        reply = { status: 500, body: { error: 'server_error', error_description: String(error) } };
      }
      const json = reply.body === undefined ? '' : JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        ...(reply.body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
        'cache-control': 'no-store',
        ...reply.headers,
      });
      res.end(json);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function toRequest(req: IncomingMessage): Promise<DoubleRequest> {
  const url = new URL(req.url ?? '/', 'http://double');
  const text = req.method === 'POST' ? await readText(req) : '';
  const form = req.method === 'POST' ? new URLSearchParams(text) : url.searchParams;
  const authorization = req.headers.authorization;
  let basic: DoubleRequest['basic'];
  if (authorization?.startsWith('Basic ')) {
    const [username = '', password = ''] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':');
    basic = { username: decodeURIComponent(username.replace(/\+/g, ' ')), password: decodeURIComponent(password.replace(/\+/g, ' ')) };
  }
  return { method: req.method ?? 'GET', path: url.pathname, form, text, ...(basic === undefined ? {} : { basic }) };
}
