import type { Server } from 'node:http';

/**
 * Stop accepting connections, let in-flight requests finish (idle keep-alive
 * connections are closed as they become idle), and after `timeoutMs` cut
 * whatever is left so shutdown always ends.
 */
export function closeGracefully(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
    deadline.unref();
    server.close((error) => {
      clearInterval(idle);
      clearTimeout(deadline);
      if (error) reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}
