import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError } from '../errors.js';
import { page } from './callback-page.js';

/** A callback that reached the listener, held open until the caller answers it. */
export interface Callback {
  url: URL;
  /** Sends the final page and closes the connection. */
  respond(status: number, page: string): void;
}

/**
 * RFC 8252 §7.3 loopback redirect: an HTTP listener on 127.0.0.1 that hands
 * over the first callback `accept` takes and stops listening right then, so
 * a second callback is refused. Callbacks `accept` turns down get a 400 page
 * and the listener keeps waiting.
 */
export interface LoopbackListener {
  redirectUri: string;
  /** Resolves with the first accepted callback. */
  callback(accept: (url: URL) => 'accept' | { reject: string }): Promise<Callback>;
  close(): void;
}

export async function listenOnLoopback(port: number): Promise<LoopbackListener> {
  let onRequest: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => send(res, 503, page('Not ready', 'Try again in a moment.'));
  const server = createServer((req, res) => onRequest(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, port)));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const close = () => {
    server.close();
    server.closeIdleConnections();
  };
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  return {
    redirectUri,
    close,
    callback: (accept) =>
      new Promise<Callback>((resolve) => {
        onRequest = (req, res) => {
          // Anything may connect to the port; a request target no URL parser accepts is just another stray request.
          const url = URL.parse(req.url ?? '/', redirectUri);
          if (url === null) return send(res, 400, page('Bad request', 'This is not a login callback.'));
          if (req.method !== 'GET' || url.pathname !== '/callback') return send(res, 404, page('Not found', 'Nothing here.'));
          const verdict = accept(url);
          if (verdict !== 'accept') return send(res, 400, page('This login link is not valid', verdict.reject));
          close();
          resolve({ url, respond: (status, html) => send(res, status, html) });
        };
      }),
  };
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
  res.end(html);
}

function listenError(error: NodeJS.ErrnoException, port: number): AuthError {
  if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
    return new AuthError('USAGE', `Cannot listen for the login callback on 127.0.0.1 port ${port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied'}`, {
      hint: 'choose another port with --port (or redirect_port in the profile), or leave it out to use a free one',
      cause: error,
    });
  }
  return new AuthError('INTERNAL', `Cannot listen for the login callback on 127.0.0.1 port ${port}`, { cause: error });
}
