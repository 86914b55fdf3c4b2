import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Provider } from '@auth/core';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { createLogger, parseServerConfig, startAuthServer, type ServerConfigInput } from '../../src/index.js';
import { issuerRole, makeDataDir, type RunningIssuer } from './test-server.js';

/** A clock the test moves: epoch milliseconds. */
export function testClock(start = Date.now()) {
  let now = start;
  return {
    now: () => now,
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
  };
}

export interface MachineServer extends RunningIssuer {
  dataDir: string;
  logs(): string;
  /** POSTs `fields` to `/api/v1/auth/<path>` as JSON, or as a form with `form: true`. */
  post(path: string, fields: Record<string, string>, options?: { form?: boolean }): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;
  /** Verifies a machine access token against the issuer's published JWKS, as a resource server would. */
  verifyOffline(token: string): Promise<{ payload: JWTPayload; typ: string | undefined }>;
}

/** An in-process auth-server with these identities (and config), its clock and its providers injected. */
export async function startMachineServer(
  config: Omit<ServerConfigInput, 'data_dir'>,
  options: { now?: () => number; dataDir?: string; machineProviders?: readonly Provider<any>[] } = {},
): Promise<MachineServer> {
  const dataDir = options.dataDir ?? (await makeDataDir());
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const parsed = parseServerConfig({ listen: '127.0.0.1:0', ...config, data_dir: dataDir }, join(dataDir, 'auth-server.toml'));
  const running = issuerRole(await startAuthServer({
    config: parsed,
    logger: createLogger({ level: 'debug', destination }),
    shutdownTimeoutMs: 2000,
    ...(options.now ? { now: options.now } : {}),
    ...(options.machineProviders ? { machineProviders: options.machineProviders } : {}),
  }));
  // The bound address: a test that restarts the server on another port sets a fixed `issuer` instead.
  const base = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
  const jwks = createRemoteJWKSet(new URL(`${base}/jwks`));
  return {
    ...running,
    dataDir,
    logs: () => lines.join(''),
    async post(path, fields, { form = false } = {}) {
      const response = await fetch(`${base}/api/v1/auth/${path}`, {
        method: 'POST',
        headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
        body: form ? new URLSearchParams(fields).toString() : JSON.stringify(fields),
        signal: AbortSignal.timeout(10_000),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
    },
    async verifyOffline(token) {
      const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: running.issuer, currentDate: new Date((options.now ?? Date.now)()) });
      return { payload, typ: protectedHeader.typ };
    },
  };
}

/** The error body without its per-request id: what must be the same for every failed proof. */
export function withoutRequestId(body: Record<string, unknown>): Record<string, unknown> {
  const { reqId, ...rest } = body;
  if (typeof reqId !== 'string') throw new Error(`error body without a reqId: ${JSON.stringify(body)}`);
  return rest;
}
