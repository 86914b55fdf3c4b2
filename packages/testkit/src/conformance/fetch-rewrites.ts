import { createServer } from 'node:net';

/** A loopback port nothing listens on: bound by the kernel, then released, so a connection is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A fetch whose every request goes to `port` on loopback instead: a real ECONNREFUSED for each. */
export function unreachableFetch(port: number): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    url.protocol = 'http:';
    url.host = `127.0.0.1:${port}`;
    return fetch(url, init);
  };
}

/** The body of a request as form text, when it is one (token requests are `application/x-www-form-urlencoded`). */
function formBody(init: Parameters<typeof fetch>[1]): string {
  const body = init?.body;
  return body instanceof URLSearchParams ? body.toString() : typeof body === 'string' ? body : '';
}

/**
 * The real fetch, except that token requests (RFC 6749 §3.2: a POST carrying
 * `grant_type`) are answered by the server the way RFC 6749 §5.2 describes
 * an error: `status` with `{"error": error}`. Every other request reaches the IdP.
 */
export function tokenErrorFetch(error: string, status = 400): typeof fetch {
  return async (input, init) => {
    if ((init?.method ?? 'GET').toUpperCase() === 'POST' && /(^|&)grant_type=/.test(formBody(init))) {
      return new Response(JSON.stringify({ error, error_description: `conformance: the token endpoint answered ${error}` }), {
        status,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      });
    }
    return fetch(input, init);
  };
}

/** The real fetch, recording every URL requested. */
export function recordingFetch(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: (input, init) => {
      urls.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    },
  };
}
