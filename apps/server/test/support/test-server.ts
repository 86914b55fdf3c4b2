import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type * as oauth from 'oauth4webapi';
import type Provider from 'oidc-provider';
import { afterAll, beforeAll } from 'vitest';
import { createLogger, prepareDevMode, startAuthServer, type RunningAuthServer } from '../../src/index.js';
import { discover } from './oauth-client.js';

import { DEMO_PASSWORD, SERVICE_SECRET } from './credentials.js';

export { DEMO_PASSWORD, SERVICE_SECRET };

/** A running server whose issuer role is on. */
export interface RunningIssuer extends RunningAuthServer {
  issuer: string;
  server: Server;
  provider: Provider;
}

/** The running server, checked to serve the issuer (a test's config switches it on). */
export function issuerRole(running: RunningAuthServer): RunningIssuer {
  const { issuer, server, provider } = running;
  if (issuer === undefined || server === undefined || provider === undefined) throw new Error('this test needs the issuer role, which its config left off');
  return { ...running, issuer, server, provider };
}

export interface TestServer extends RunningIssuer {
  dataDir: string;
  port: number;
  /** Every log line the server wrote so far. */
  logs(): string;
  stop(): Promise<void>;
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'auth-server-test-'));
}

/** The `--dev` configuration, in-process on 127.0.0.1:<free port>, logs captured. */
export async function startTestServer({ dataDir, port = 0 }: { dataDir?: string; port?: number } = {}): Promise<TestServer> {
  const dir = dataDir ?? (await makeDataDir());
  const dev = await prepareDevMode({
    listen: `127.0.0.1:${port}`,
    dataDir: dir,
    env: { AUTH_SERVER_DEV_PASSWORD: DEMO_PASSWORD, AUTH_SERVER_DEV_CLIENT_SECRET: SERVICE_SECRET },
  });
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const running = issuerRole(await startAuthServer({ config: dev.config, logger: createLogger({ level: 'debug', destination }), shutdownTimeoutMs: 2000 }));
  return {
    ...running,
    dataDir: dir,
    port: Number(new URL(running.issuer).port),
    logs: () => lines.join(''),
    stop: () => running.close(),
  };
}

export async function removeDataDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * One dev-configured server for a test file: started before its tests,
 * stopped and removed after. The fields are set once `beforeAll` has run.
 */
export function useTestServer(): { server: TestServer; as: oauth.AuthorizationServer } {
  const fixture = {} as { server: TestServer; as: oauth.AuthorizationServer };
  beforeAll(async () => {
    fixture.server = await startTestServer();
    fixture.as = await discover(fixture.server.issuer);
  });
  afterAll(async () => {
    if (!fixture.server) return;
    await fixture.server.stop();
    await removeDataDir(fixture.server.dataDir);
  });
  return fixture;
}
