import { generateKeyPairSync } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Provider, { type JWK } from 'oidc-provider';
import { createHeadlessUser, type HeadlessUser } from './headless-user.js';
import { CONFIDENTIAL_CLIENT, idpConfiguration, type Lifetimes, PUBLIC_CLIENT_ID, ROUTES, SCOPES } from './idp-configuration.js';
import { interactionRoutes } from './interactions.js';
import { DEVICE_CODE_GRANT, type GrantRecord, Knobs, knobsMiddleware } from './knobs.js';
import { MemoryStore } from './memory-store.js';
import { PASSWORD_GRANT, PASSWORD_GRANT_PARAMETERS, passwordGrant } from './password-grant.js';

export type { GrantRecord } from './knobs.js';

export interface TestIdPOptions {
  /** Seconds, default 3600. */
  accessTokenTtl?: number;
  /** Seconds, default 86400. */
  refreshTokenTtl?: number;
  /** Seconds, default 600. */
  deviceCodeTtl?: number;
  /** The `interval` added to device authorization responses (oidc-provider omits it), default 1. */
  deviceInterval?: number;
  /** Username to password, default `{ alice: 'alice-password', bob: 'bob-password' }`. */
  users?: Record<string, string>;
  /** Default: an ephemeral port on 127.0.0.1. */
  port?: number;
  /** Serve https with this PEM key and certificate (e.g. from `createTestCA()`); the issuer is then `https://127.0.0.1:<port>`. */
  tls?: { key: string; cert: string };
}

type Server = HttpServer | HttpsServer;

export interface TestIdP {
  /** `http://127.0.0.1:<port>` (`https://` with the `tls` option); discovery at `/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly port: number;
  readonly clients: { public: 'authctl'; confidential: { id: 'svc'; secret: 'svc-secret' } };
  /** Delays every response. */
  setLatency(ms: number): void;
  /** `refuse`: stop listening (ECONNREFUSED); `503`: every request answers 503; `none`: serve again on the same port. */
  setOutage(mode: 'none' | 'refuse' | '503'): Promise<void>;
  /** The next `n` device_code token polls answer 400 `{"error":"slow_down"}`. */
  slowDownNext(n: number): void;
  /** Applies to access tokens issued afterwards. */
  setAccessTokenTtl(seconds: number): void;
  /** Applies to device codes issued afterwards. */
  setDeviceCodeTtl(seconds: number): void;
  /** Token endpoint requests that reached the IdP with this `grant_type` (whatever their answer). */
  grantCount(grantType: string): number;
  grants(): GrantRecord[];
  resetCounts(): void;
  /** Arrival times (ms epoch) of device_code token polls, in order. */
  devicePolls(): number[];
  /** Every grant so far, and each refresh and access token issued under it, becomes invalid. */
  revokeAllGrants(): Promise<void>;
  readonly user: HeadlessUser;
  close(): Promise<void>;
}

const DEFAULT_USERS: Record<string, string> = { alice: 'alice-password', bob: 'bob-password' };

function seconds(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive whole number of seconds, got ${value}`);
  }
  return value;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Every socket of the server. closeAllConnections() only knows the live HTTP
 * connections; a TLS socket whose exchange is over but whose peer has not
 * closed it (through a proxy tunnel, say) would still hold close() up.
 */
const openSockets = new WeakMap<Server, Set<Socket>>();

function trackSockets(server: Server): void {
  const sockets = new Set<Socket>();
  openSockets.set(server, sockets);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
}

// Open connections would hold close() up (and keep a refused IdP reachable).
async function stop(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
    for (const socket of openSockets.get(server) ?? []) socket.destroy();
  });
  // One turn of the event loop lets an in-process client see its pooled
  // connections closed, so its next request connects anew and is refused
  // instead of being written into a dead socket.
  await sleep(1);
}

function rsaSigningKey(): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig' } as JWK;
}

/** Starts an in-process oidc-provider on 127.0.0.1 with failure knobs; each call is independent of the others. */
export async function startTestIdP(options: TestIdPOptions = {}): Promise<TestIdP> {
  const users = new Map(Object.entries(options.users ?? DEFAULT_USERS));
  if (users.size === 0) throw new RangeError('users must name at least one user');
  const lifetimes: Lifetimes = {
    accessToken: seconds(options.accessTokenTtl ?? 3600, 'accessTokenTtl'),
    refreshToken: seconds(options.refreshTokenTtl ?? 86_400, 'refreshTokenTtl'),
    deviceCode: seconds(options.deviceCodeTtl ?? 600, 'deviceCodeTtl'),
  };
  const knobs = new Knobs(seconds(options.deviceInterval ?? 1, 'deviceInterval'));
  const store = new MemoryStore();

  const server: Server = options.tls === undefined ? createHttpServer() : createHttpsServer(options.tls);
  trackSockets(server);
  await listen(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  const issuer = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;

  let provider: Provider;
  try {
    provider = new Provider(issuer, idpConfiguration({ users, lifetimes, store, signingKey: rsaSigningKey() }));
  } catch (err) {
    await stop(server);
    throw err;
  }
  provider.registerGrantType(PASSWORD_GRANT, passwordGrant(provider, users, SCOPES), [...PASSWORD_GRANT_PARAMETERS]);
  provider.use(knobsMiddleware(knobs, ROUTES));
  provider.use(interactionRoutes(provider, users));
  provider.on('server_error', (_ctx, err) => console.error(`test IdP ${issuer}: server_error`, err));
  const handle = provider.callback();
  // No keep-alive: a client's next request always opens a new connection, so an
  // outage turned on between two requests is what that next request meets.
  server.on('request', (req, res) => {
    res.setHeader('connection', 'close');
    return handle(req, res);
  });

  const [firstUser] = users;
  return {
    issuer,
    port,
    clients: { public: PUBLIC_CLIENT_ID, confidential: CONFIDENTIAL_CLIENT },
    setLatency(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be zero or more milliseconds, got ${ms}`);
      knobs.latencyMs = ms;
    },
    async setOutage(mode) {
      if (mode === 'refuse') {
        if (server.listening) await stop(server);
      } else if (!server.listening) {
        await listen(server, port);
      }
      knobs.serving503 = mode === '503';
    },
    slowDownNext(n) {
      if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`slowDownNext needs a count of polls, got ${n}`);
      knobs.slowDownRemaining = n;
    },
    setAccessTokenTtl(value) {
      lifetimes.accessToken = seconds(value, 'access token TTL');
    },
    setDeviceCodeTtl(value) {
      lifetimes.deviceCode = seconds(value, 'device code TTL');
    },
    grantCount: (grantType) => knobs.grants().filter((r) => r.grant_type === grantType).length,
    grants: () => knobs.grants(),
    resetCounts: () => knobs.reset(),
    devicePolls: () => knobs.grants().filter((r) => r.grant_type === DEVICE_CODE_GRANT).map((r) => r.at),
    async revokeAllGrants() {
      store.revokeAllGrants();
    },
    user: createHeadlessUser({ username: firstUser![0], password: firstUser![1] }),
    async close() {
      if (server.listening) await stop(server);
    },
  };
}
