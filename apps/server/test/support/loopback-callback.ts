import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What authctl's browser flow runs: a one-page listener on 127.0.0.1:<ephemeral>/callback (RFC 8252). */
export async function startLoopbackCallback(): Promise<{ redirectUri: string; callback: Promise<URL>; close(): Promise<void> }> {
  let resolve!: (url: URL) => void;
  const callback = new Promise<URL>((r) => (resolve = r));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Signed in. You can close this window.</h1>');
    resolve(new URL(`${redirectUri}${url.search}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  return {
    redirectUri,
    callback,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
