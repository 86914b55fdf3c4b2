import { AuthError, boundedFetch, type ProofRequest, type VerifyRequest } from '@auth/core';
import { expect } from 'vitest';
import type { GcpSettings } from '../src/index.js';

export const FILE = '/home/someone/.config/authctl/config.toml';
const TIMEOUT_MS = 5000;

/** A bounded fetch, as authctl and auth-server hand providers. */
export const io = (timeoutMs = TIMEOUT_MS): VerifyRequest['io'] => ({ fetch: boundedFetch(fetch, { timeoutMs }), signal: new AbortController().signal, timeoutMs });

export function proofRequest(method: string, overrides: Partial<ProofRequest<GcpSettings>> = {}): ProofRequest<GcpSettings> {
  return {
    profile: 'machine',
    file: FILE,
    method,
    settings: {},
    identityId: 'b6f2a1c4-7d1e-4c55-9a0e-3f0c2d8e9a11',
    options: {},
    env: {},
    io: { ...io(), allowInsecureHttp: true, env: {} },
    ...overrides,
  };
}

export const seconds = () => Math.floor(Date.now() / 1000);

export function verifyRequest(body: Record<string, unknown>, binding: Record<string, unknown>, overrides: Partial<VerifyRequest> = {}): VerifyRequest {
  return { loginMethod: 'gcp-auth', body, identityId: String(body.identityId), binding, io: io(), now: seconds, ...overrides };
}

/** What `promise` rejected with, which must be an AuthError. */
export async function failure(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(AuthError.is(error), 'expected an AuthError').toBe(true);
  return error as AuthError;
}

/** A denial (uniform 401 at the login API) whose logged reason matches `pattern`. */
export async function deniedWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await failure(promise);
  expect(error.code).toBe('ACCESS_DENIED');
  expect(error.message).toMatch(pattern);
}
