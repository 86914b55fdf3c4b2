import type { GatewayAuthenticator, GatewayDecision, GatewayDeny } from '@auth/core';
import { expect } from 'vitest';
import { createKapacitor } from '../../src/index.js';
import type { KapacitorGatewayConfig } from '../../src/server/config.js';
import { MemoryDirectory } from './memory-directory.js';

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

export interface Harness {
  authenticator: GatewayAuthenticator;
  directory: MemoryDirectory;
  clock: { now: number };
  logs: Array<{ event: string; fields: Readonly<Record<string, unknown>> }>;
  send(request: RequestSpec): Promise<GatewayDecision>;
}

export interface RequestSpec {
  method?: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export const BASE_CONFIG: KapacitorGatewayConfig = {
  http: { 'auth-enabled': true, 'shared-secret': 'kapacitor-shared-secret' },
  auth: { enabled: true, 'cache-expiration': '10m', 'bcrypt-cost': 4, 'meta-addr': 'meta.test:8091' },
};

export async function harness(
  options: { config?: KapacitorGatewayConfig; env?: Record<string, string>; directory?: MemoryDirectory } = {},
): Promise<Harness> {
  const directory = options.directory ?? new MemoryDirectory();
  const clock = { now: T0 };
  const logs: Harness['logs'] = [];
  const provider = createKapacitor({ openDirectory: () => directory });
  const authenticator = await provider.gateway!.createAuthenticator(options.config ?? BASE_CONFIG, {
    where: 'test.toml gateway.routes[0].auth',
    io: { fetch: globalThis.fetch, timeoutMs: 5000 },
    now: () => clock.now,
    env: options.env ?? {},
    log: (event, fields) => logs.push({ event, fields }),
  });
  const send = (spec: RequestSpec) =>
    authenticator.authenticate({
      method: spec.method ?? 'GET',
      path: spec.path,
      query: new URLSearchParams(spec.query ?? {}),
      headers: spec.headers ?? {},
      signal: spec.signal ?? new AbortController().signal,
    });
  return { authenticator, directory, clock, logs, send };
}

export function basic(username: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Kapacitor's `HttpError` body for a message. */
export function kapacitorBody(message: string): string {
  return JSON.stringify({ error: message, message });
}

export function expectDenied(decision: GatewayDecision, status: number, body: string): GatewayDeny {
  expect(decision.allow, `expected a denial, got ${JSON.stringify(decision)}`).toBe(false);
  const deny = decision as GatewayDeny;
  expect({ status: deny.status, body: deny.body }).toEqual({ status, body });
  return deny;
}

export function expectKapacitorError(decision: GatewayDecision, status: number, message: string): void {
  const deny = expectDenied(decision, status, kapacitorBody(message));
  expect(deny.headers['content-type']).toBe('application/json; charset=utf-8');
}

export function expectAllowed(decision: GatewayDecision, subject?: string): void {
  expect(decision.allow, `expected allow, got ${JSON.stringify(decision)}`).toBe(true);
  if (subject !== undefined && decision.allow) expect(decision.principal.subject).toBe(subject);
}
