import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { startBlackhole, type TestIdP } from '../src/index.js';
import { oauth, oauthError, passwordLogin, refresh } from './support/oauth-client.js';
import { startedIdP } from './support/started-idp.js';

let idp: TestIdP;
let as: oauth.AuthorizationServer;

beforeAll(async () => ({ idp, as } = await startedIdP()));
beforeEach(async () => {
  idp.setLatency(0);
  await idp.setOutage('none');
  idp.resetCounts();
});
afterAll(() => idp.close());

const discoveryUrl = (): string => `${idp.issuer}/.well-known/openid-configuration`;

/** The code of the network error under a failed fetch (e.g. ECONNREFUSED), or the abort reason's name. */
async function fetchFailure(url: string, timeoutMs = 5_000): Promise<string> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return cause?.code ?? (err as Error).name;
  }
  throw new Error(`expected ${url} to fail`);
}

test('setLatency holds every response past a client timeout; 0 serves promptly again', async () => {
  idp.setLatency(3_000);
  expect(await fetchFailure(discoveryUrl(), 300)).toBe('TimeoutError');
  idp.setLatency(0);
  const res = await fetch(discoveryUrl(), { signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(200);
});

test("setOutage('refuse') refuses connections, and 'none' serves again on the same port", async () => {
  const port = idp.port;
  await idp.setOutage('refuse');
  expect(await fetchFailure(discoveryUrl())).toBe('ECONNREFUSED');
  await idp.setOutage('none');
  expect(idp.port).toBe(port);
  const res = await fetch(discoveryUrl(), { signal: AbortSignal.timeout(5_000) });
  expect(((await res.json()) as { issuer: string }).issuer).toBe(`http://127.0.0.1:${port}`);
});

test("setOutage('refuse') is met by the very next request of a client that just talked to the IdP", async () => {
  expect((await fetch(discoveryUrl())).status).toBe(200);
  await idp.setOutage('refuse');
  expect(await fetchFailure(discoveryUrl())).toBe('ECONNREFUSED');
});

test("setOutage('503') answers 503 to every request until it is lifted", async () => {
  await idp.setOutage('503');
  expect((await fetch(discoveryUrl())).status).toBe(503);
  const res = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_id: 'authctl' }),
  });
  expect(res.status).toBe(503);
  expect(idp.grants()).toEqual([expect.objectContaining({ grant_type: 'refresh_token', status: 503 })]);
  await idp.setOutage('none');
  expect((await fetch(discoveryUrl())).status).toBe(200);
});

test('grantCount counts token requests by grant_type, whatever their answer, and resetCounts clears them', async () => {
  const login = await passwordLogin(as, 'alice', 'alice-password');
  await refresh(as, login.refresh_token!);
  expect(await oauthError(refresh(as, login.refresh_token!))).toBe('invalid_grant');
  expect(await oauthError(passwordLogin(as, 'alice', 'wrong'))).toBe('invalid_grant');

  expect(idp.grantCount('password')).toBe(2);
  expect(idp.grantCount('refresh_token')).toBe(2);
  expect(idp.grantCount('client_credentials')).toBe(0);
  expect(idp.grants().map((g) => [g.grant_type, g.status])).toEqual([
    ['password', 200],
    ['refresh_token', 200],
    ['refresh_token', 400],
    ['password', 400],
  ]);
  idp.resetCounts();
  expect(idp.grants()).toEqual([]);
  expect(idp.grantCount('password')).toBe(0);
});

test('startBlackhole accepts the connection and never answers: a fetch with AbortSignal.timeout(300) times out', async () => {
  const hole = await startBlackhole();
  try {
    expect(hole.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await fetchFailure(`${hole.url}/.well-known/openid-configuration`, 300)).toBe('TimeoutError');
  } finally {
    await hole.close();
  }
});

test('two IdPs in one process are independent', async () => {
  const { idp: other, as: otherAs } = await startedIdP();
  try {
    expect(other.port).not.toBe(idp.port);
    const here = await passwordLogin(as, 'alice', 'alice-password');
    const there = await passwordLogin(otherAs, 'alice', 'alice-password');
    // Tokens, counts and revocations stay with the IdP that made them.
    expect(await oauthError(refresh(otherAs, here.refresh_token!))).toBe('invalid_grant');
    await other.revokeAllGrants();
    expect((await refresh(as, here.refresh_token!)).access_token).toBeTruthy();
    expect(await oauthError(refresh(otherAs, there.refresh_token!))).toBe('invalid_grant');
    expect(idp.grantCount('password')).toBe(1);
    expect(other.grantCount('password')).toBe(1);
  } finally {
    await other.close();
  }
  expect(await fetchFailure(`${other.issuer}/.well-known/openid-configuration`)).toBe('ECONNREFUSED');
});

test('knob arguments are checked', () => {
  expect(() => idp.setAccessTokenTtl(0)).toThrow(RangeError);
  expect(() => idp.setDeviceCodeTtl(1.5)).toThrow(RangeError);
  expect(() => idp.setLatency(-1)).toThrow(RangeError);
  expect(() => idp.slowDownNext(-1)).toThrow(RangeError);
});
