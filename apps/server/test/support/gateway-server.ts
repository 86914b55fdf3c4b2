import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { GatewayDecision, GatewayMetric, GatewayRequest, Provider } from '@auth/core';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { z } from 'zod';
import { createLogger, parseServerConfig, startAuthServer, type RunningGateway } from '../../src/index.js';

/**
 * The gateway in-process with a gateway-only config, in front of a recording
 * upstream, with authenticators defined here: the server's part is under
 * test, not any provider's.
 */

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Which upstream connection carried it (1, 2, …): keep-alive reuse shows as the same number. */
  connection: number;
}

export interface TestUpstream {
  url: string;
  requests: SeenRequest[];
  /** How each request is answered (default: `echoAnswer`). */
  answer: (request: IncomingMessage, response: ServerResponse, seen: SeenRequest) => void;
  close(): Promise<void>;
}

/** 200 `upstream saw <method> <url>`. */
export function echoAnswer(_request: IncomingMessage, response: ServerResponse, seen: SeenRequest): void {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end(`upstream saw ${seen.method} ${seen.url}`);
}

/** A minimal node:http upstream that records every request it gets, with its body. */
export async function startUpstream(): Promise<TestUpstream> {
  let connections = 0;
  const upstream: TestUpstream = {
    url: '',
    requests: [],
    answer: echoAnswer,
    close: async () => {},
  };
  const server = createServer((request, response) => {
    const seen: SeenRequest = {
      method: request.method!,
      url: request.url!,
      headers: request.headers,
      body: '',
      connection: (request.socket as Socket & { number?: number }).number!,
    };
    upstream.requests.push(seen);
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (seen.body += chunk));
    upstream.answer(request, response, seen);
  });
  server.on('connection', (socket: Socket & { number?: number }) => (socket.number = ++connections));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  upstream.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return upstream;
}

/** What the test authenticator was asked. */
export const askedPaths: string[] = [];

/**
 * A test protocol: `Authorization: Token <secret>` or `?token=<secret>`,
 * the secret read from the env variable the route's auth table names.
 * Refusals answer in the protocol's own words, as a real provider's would.
 */
export const tokenProvider: Provider = {
  specificationVersion: 'v1',
  id: 'test-token',
  name: 'Test token',
  options: z.object({}),
  gateway: {
    specificationVersion: 'v1',
    configSchema: z.strictObject({
      secret_env: z.string().regex(/^[A-Z_]+$/, { error: 'must name an environment variable' }),
      /** Methods this route allows; others get 405 in the protocol's words. */
      methods: z.array(z.string()).default(['GET', 'POST']),
    }),
    async createAuthenticator(config: { secret_env: string; methods: string[] }, context) {
      const secret = context.env[config.secret_env];
      if (!secret) throw new Error(`${context.where}: ${config.secret_env} is not set`);
      let allowed = 0;
      let denied = 0;
      return {
        async authenticate(request: GatewayRequest): Promise<GatewayDecision> {
          askedPaths.push(request.path);
          const given = request.headers.authorization?.replace(/^Token /, '') ?? request.query.get('token');
          if (request.headers['x-test-throw']) throw new Error('authenticator bug');
          if (given !== secret) {
            denied++;
            context.log('test.denied_detail', { user: 'nobody' });
            return {
              allow: false,
              status: 401,
              headers: { 'www-authenticate': 'Token realm="test"', 'content-type': 'application/json; charset=utf-8', 'x-test-protocol': 'yes' },
              body: '{"error":"token required"}\n',
              reason: given === undefined || given === null ? 'no token' : 'wrong token',
            };
          }
          if (!config.methods.includes(request.method)) {
            denied++;
            return { allow: false, status: 405, headers: { allow: config.methods.join(', ') }, body: 'method not allowed', reason: `method ${request.method}` };
          }
          allowed++;
          return {
            allow: true,
            principal: { subject: 'alice', issuer: 'test', provider: 'test-token', claims: {}, permissions: [] },
            upstreamHeaders: { authorization: null, 'x-test-user': 'alice', connection: 'x-test-user', 'transfer-encoding': 'chunked' },
            removeQuery: ['token'],
          };
        },
        metrics: (): GatewayMetric[] => [
          { name: 'test_decisions_total', help: 'Decisions of the test authenticator.', type: 'counter', value: allowed, labels: { decision: 'allow' } },
          { name: 'test_decisions_total', help: 'Decisions of the test authenticator.', type: 'counter', value: denied, labels: { decision: 'deny' } },
        ],
      };
    },
  },
};

/** Allows everything: the bench's and the streaming tests' authenticator. */
export const allowAllProvider: Provider = {
  specificationVersion: 'v1',
  id: 'allow-all',
  name: 'Allow all',
  options: z.object({}),
  gateway: {
    specificationVersion: 'v1',
    configSchema: z.strictObject({}),
    createAuthenticator: async () => ({
      authenticate: async () => ({ allow: true, principal: { subject: 'anyone', issuer: 'test', provider: 'allow-all', claims: {}, permissions: [] } }),
    }),
  },
};

export const TEST_SECRET = 'test-gateway-secret-0123456789';

export interface GatewayServer {
  gateway: RunningGateway;
  /** The gateway's base URL. */
  url: string;
  logs(): string;
  close(): Promise<void>;
}

/** A gateway-only auth-server: `gateway` is the `[gateway]` table (listen defaults to a free loopback port). */
export async function startGatewayServer(gateway: Record<string, unknown>, providers: readonly Provider<any>[] = [tokenProvider, allowAllProvider]): Promise<GatewayServer> {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const file = join('/etc', 'auth-server-gateway-test.toml');
  const config = parseServerConfig({ roles: ['gateway'], gateway: { listen: '127.0.0.1:0', ...gateway } }, file);
  const running = await startAuthServer({
    config,
    logger: createLogger({ level: 'debug', destination }),
    shutdownTimeoutMs: 2000,
    gatewayProviders: providers,
    env: { TEST_GATEWAY_SECRET: TEST_SECRET },
    configFile: file,
  });
  return { gateway: running.gateway!, url: running.gateway!.url, logs: () => lines.join(''), close: () => running.close() };
}

/**
 * One upstream and one gateway in front of it for a test file, `table(upstreamUrl)`
 * being its `[gateway]` table. Before each test the upstream forgets what it saw and
 * answers with `echoAnswer` again. The fields are set once `beforeAll` has run.
 */
export function useGateway(table: (upstreamUrl: string) => Record<string, unknown>): { upstream: TestUpstream; gateway: GatewayServer } {
  const fixture = {} as { upstream: TestUpstream; gateway: GatewayServer };
  beforeAll(async () => {
    fixture.upstream = await startUpstream();
    fixture.gateway = await startGatewayServer(table(fixture.upstream.url));
  });
  afterAll(async () => {
    await fixture.gateway?.close();
    await fixture.upstream?.close();
  });
  beforeEach(() => {
    fixture.upstream.requests.length = 0;
    fixture.upstream.answer = echoAnswer;
    askedPaths.length = 0;
  });
  return fixture;
}

/** Sends `bytes` as they are on a fresh connection and resolves with everything the server wrote until it closed or `idleMs` passed in silence. */
export function sendRaw(url: string, bytes: string | Buffer, idleMs = 2000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname);
    const done = () => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    socket.setTimeout(idleMs, done);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', done);
    socket.on('error', done);
    socket.write(bytes);
  });
}

/** The status code of the first response in `raw`, or 0 when there is none. */
export function statusOf(raw: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
}
