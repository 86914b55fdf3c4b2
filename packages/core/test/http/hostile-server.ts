import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';

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
