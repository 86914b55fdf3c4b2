import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, type RunningBinary } from './binary.js';
import { DEMO_PASSWORD, SERVICE_SECRET } from './credentials.js';

/** Set on the balancer's own 502 when the instance died with the request: lost in flight, not answered. */
export const LOST_HEADER = 'x-balancer-lost';

export const MACHINE_SECRET = 'demo-machine-secret-0123456789abcdef0123456789abcdef';

/**
 * A load balancer in front of the instances, as an operator would run one:
 * each request goes to the next instance in turn (or to the one `pin`
 * names), with its Host header kept, so every instance sees the one public
 * issuer. An instance that refuses the connection is skipped (a passive
 * health check); a request already sent to an instance that dies fails,
 * as it would behind a real balancer.
 */
export class Balancer {
  readonly #server: Server;
  #backends: Array<{ host: string; port: number } | undefined> = [];
  #next = 0;
  #pinned: number | undefined;
  /** Requests each backend answered. */
  readonly served: number[] = [];
  /** The status of every answer an instance gave (a request lost with its instance has none). */
  readonly answers: Array<{ backend: number; status: number }> = [];

  private constructor(server: Server) {
    this.#server = server;
    // The body is read first and kept, so that a request can go to the next instance if one refuses the connection.
    server.on('request', (incoming, outgoing) => {
      readBody(incoming).then(
        (payload) => this.#forward(incoming, payload, outgoing, 0),
        () => outgoing.destroy(),
      );
    });
  }

  static async start(): Promise<Balancer> {
    const server = createServer({ keepAlive: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new Balancer(server);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as { port: number }).port}`;
  }

  add(address: string): number {
    const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
    this.#backends.push({ host, port });
    this.served.push(0);
    return this.#backends.length - 1;
  }

  /** Takes instance `index` out of rotation (it was killed). */
  remove(index: number): void {
    this.#backends[index] = undefined;
  }

  /** Sends every request to instance `index`; undefined: in turn again. */
  pin(index: number | undefined): void {
    this.#pinned = index;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #pick(): number | undefined {
    if (this.#pinned !== undefined) return this.#pinned;
    for (let tried = 0; tried < this.#backends.length; tried++) {
      const index = this.#next++ % this.#backends.length;
      if (this.#backends[index]) return index;
    }
    return undefined;
  }

  #forward(incoming: IncomingMessage, payload: Buffer, outgoing: ServerResponse, attempt: number): void {
    const index = this.#pick();
    const backend = index === undefined ? undefined : this.#backends[index];
    if (index === undefined || !backend) {
      outgoing.writeHead(502).end('no backend');
      return;
    }
    const proxied = request(
      { host: backend.host, port: backend.port, method: incoming.method, path: incoming.url, headers: incoming.headers, agent: false },
      (answer) => {
        this.served[index]! += 1;
        this.answers.push({ backend: index, status: answer.statusCode ?? 0 });
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    proxied.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' && attempt < this.#backends.length) {
        this.remove(index);
        this.#forward(incoming, payload, outgoing, attempt + 1);
        return;
      }
      if (!outgoing.headersSent) outgoing.writeHead(502, { [LOST_HEADER]: String(index) }).end(`backend failed: ${error.code}`);
      else outgoing.destroy();
    });
    proxied.end(payload);
  }
}

function readBody(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks)));
    incoming.on('error', reject);
  });
}

export interface Instance {
  binary: RunningBinary;
  /** Where it listens (host:port), behind the balancer. */
  address: string;
  dataDir: string;
}

export interface Cluster {
  /** The public issuer: the balancer's URL. */
  issuer: string;
  balancer: Balancer;
  instances: Instance[];
  /** Starts one more instance and puts it in rotation. */
  add(): Promise<Instance>;
  close(): Promise<void>;
}

const LISTENING = /"event":"server\.listening".*?"address":"([^"]+)"/;

/**
 * `count` auth-server processes (`--dev`, or `--config config`; each with its
 * own data dir, all on `redisUrl` and naming the balancer as their issuer),
 * each in rotation once it has logged the address it listens on.
 */
export async function startCluster(redisUrl: string, count: number, { env = {}, config }: { env?: NodeJS.ProcessEnv; config?: string } = {}): Promise<Cluster> {
  const balancer = await Balancer.start();
  const instances: Instance[] = [];
  const add = async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'auth-server-cluster-'));
    const serve = config ? ['--config', config] : ['--dev'];
    const binary = await start([...serve, '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--state', redisUrl, '--issuer', balancer.url], {
      env: {
        AUTH_SERVER_DEV_PASSWORD: DEMO_PASSWORD,
        AUTH_SERVER_DEV_CLIENT_SECRET: SERVICE_SECRET,
        AUTH_SERVER_DEV_MACHINE_SECRET: MACHINE_SECRET,
        AUTH_SERVER_LOG_LEVEL: 'info',
        ...env,
      },
    });
    const address = (await binary.stderrMatch(LISTENING))[1]!;
    balancer.add(address);
    const instance = { binary, address, dataDir };
    instances.push(instance);
    return instance;
  };
  try {
    // One at a time: the first seeds the shared keys, the others take them.
    for (let i = 0; i < count; i++) await add();
  } catch (error) {
    await Promise.all(instances.map((instance) => instance.binary.stop()));
    await balancer.close();
    throw error;
  }
  return {
    issuer: balancer.url,
    balancer,
    instances,
    add,
    close: async () => {
      for (const { binary } of instances) if (binary.child.exitCode === null && binary.child.signalCode === null) binary.child.kill('SIGKILL');
      await Promise.all(instances.map((instance) => instance.binary.exited));
      await balancer.close();
      await Promise.all(instances.map((instance) => rm(instance.dataDir, { recursive: true, force: true })));
    },
  };
}
