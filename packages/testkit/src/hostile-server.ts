import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';

/**
 * Servers that misbehave on purpose, for fault tests: an IdP that drops the
 * connection, answers HTML, garbage or an endless body.
 */

/** A loopback server for fault tests; `url` is its base URL (port 0, read back once bound). */
export interface HostileServer {
  url: string;
  close(): Promise<void>;
}

async function listening(server: Server | TcpServer): Promise<HostileServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Accepts every TCP connection and destroys it at once, before a byte of answer. */
export function startSocketDestroyer(): Promise<HostileServer> {
  return listening(createTcpServer((socket) => socket.destroy()));
}

/** An HTTP server answering every request with `answer`. */
export function startAnswering(answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<HostileServer> {
  return listening(createServer(answer));
}

/** Streams `bytes` of JSON-looking filler without a content-length, as a hostile or broken IdP would. */
export function streamHuge(response: ServerResponse, bytes: number): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  const pump = () => {
    while (sent < bytes) {
      sent += chunk.length;
      if (!response.write(chunk)) return void response.once('drain', pump);
    }
    response.end();
  };
  response.on('close', () => {
    sent = bytes;
  });
  pump();
}

/** What a broken or hostile token endpoint answers, by name: each is the evidence of one failure a client must survive. */
export const HOSTILE_TOKEN_ANSWERS: Readonly<Record<string, (response: ServerResponse) => void>> = {
  'an HTML page with status 200': (response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<html><body>Sign in</body></html>');
  },
  'garbage bytes': (response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('\u0000\u00ff{{{not json');
  },
  'a 302 to a login page': (response) => {
    response.writeHead(302, { location: 'https://login.example.com/' });
    response.end();
  },
  'JSON of the wrong types': (response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ access_token: 42, token_type: ['Bearer'], expires_in: 'soon' }));
  },
  'a body larger than 1 MiB': (response) => streamHuge(response, 4 * 1024 * 1024),
  'an access token with CR LF and a header after it': (response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ access_token: 'abc\r\nX-Injected: yes', token_type: 'Bearer', expires_in: 3600 }));
  },
  'a token type with a space in it': (response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ access_token: 'abc', token_type: 'Bearer abc\r\nX-Injected:', expires_in: 3600 }));
  },
  'HTTP 500': (response) => {
    response.writeHead(500, { 'content-type': 'text/plain' });
    response.end('boom');
  },
};
