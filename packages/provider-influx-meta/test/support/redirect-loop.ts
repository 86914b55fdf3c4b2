import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A node that answers every request with 307 to itself: a leader election that never settles. */
export async function serveLoop(): Promise<{ url: string; hits(): number; close(): Promise<void> }> {
  let hits = 0;
  let url = '';
  const server = createServer((req, res) => {
    hits += 1;
    req.resume();
    res.writeHead(307, { location: `${url}${req.url}` }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hits: () => hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
