import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { createServer as createTlsServer } from 'node:tls';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A real `redis-server` (Debian's) reachable on a loopback TCP port, with its own temporary folder. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` (`rediss://` with `tls`): stays the same across `restart()`. */
  url: string;
  port: number;
  /** The Unix socket redis-server itself listens on. */
  socketPath: string;
  /** Kills redis-server (SIGKILL by default: nothing is saved) and waits for it to exit; the port stays bound, and refuses Redis until `restart()`. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts redis-server again behind the same port, empty. */
  restart(): Promise<void>;
  /** Stops redis-server, releases the port and removes the folder. */
  close(): Promise<void>;
}

export interface RedisServerOptions {
  /** Default `redis-server` on PATH. */
  binary?: string;
  /** `requirepass`: clients must AUTH with it. */
  password?: string;
  /** Serve the port over TLS with this certificate (e.g. `createTestCA()`'s); `requestCert` also asks clients for one signed by `ca`. */
  tls?: { cert: string; key: string; ca?: string; requestCert?: boolean };
  /** How long to wait for the "Ready to accept connections" line (default 10 s). */
  startTimeoutMs?: number;
}

const READY = /ready to accept connections/i;

/**
 * Starts redis-server in a temporary folder, with no persistence.
 *
 * redis-server cannot listen on TCP port 0 (`port 0` switches TCP off), so
 * it listens on a Unix socket in its folder, and this process listens on
 * `127.0.0.1:0` and relays each connection to that socket: the kernel picks
 * the port, nothing is handed over that another process could take first,
 * and `restart()` brings Redis back behind the same port without binding it
 * again. While Redis is stopped, a new connection is closed at once, as a
 * refused one would be. With `tls` the port speaks TLS (redis-server's own
 * TLS needs a TCP port too), so clients' `rediss://` settings are tested
 * against a real handshake. A missing redis-server throws (never skips).
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? 'redis-server';
  if (spawnSync(binary, ['--version'], { stdio: 'ignore' }).error) {
    throw new Error(`${binary} is not installed: the Redis tests need it. Install it with \`apt-get install -y redis-server\`.`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'authkit-redis-'));
  const socketPath = join(dir, 'redis.sock');
  const args = ['--port', '0', '--unixsocket', socketPath, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
  if (options.password) args.push('--requirepass', options.password);
  const timeoutMs = options.startTimeoutMs ?? 10_000;

  let child: ChildProcess | undefined;
  const relayed = new Set<Socket>();
  const launch = async () => {
    const started = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    await readyLine(started, timeoutMs);
  };
  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const running = child;
    child = undefined;
    for (const socket of relayed) socket.destroy();
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    await exited;
  };

  const relay = (client: Socket) => {
    if (!child) {
      client.destroy();
      return;
    }
    const upstream = createConnection(socketPath);
    relayed.add(client).add(upstream);
    const forget = () => {
      relayed.delete(client);
      relayed.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    client.pipe(upstream).pipe(client);
  };
  const { tls } = options;
  const front: Server = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca } : {}), requestCert: tls.requestCert ?? false, rejectUnauthorized: tls.requestCert ?? false }, relay)
    : createServer(relay);

  try {
    await launch();
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.listen(0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await stop();
    front.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const port = (front.address() as { port: number }).port;
  return {
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    port,
    socketPath,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    close: async () => {
      await stop();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves on redis-server's ready line; rejects with its output when it exits or the time runs out. */
function readyLine(child: ChildProcess, timeoutMs: number): Promise<void> {
  const output: string[] = [];
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server was not ready within ${timeoutMs} ms:\n${output.join('\n')}`));
    }, timeoutMs);
    const lines = createInterface({ input: child.stdout! });
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    lines.on('line', (line) => {
      output.push(line);
      if (!READY.test(line)) return;
      clearTimeout(timer);
      // Keep draining its output so redis-server never blocks on a full pipe.
      lines.removeAllListeners('line');
      lines.on('line', () => {});
      resolve();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${signal ?? code}) before it was ready:\n${output.join('\n')}`));
    });
  });
}
