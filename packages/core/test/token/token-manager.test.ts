import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBlackhole, startTestIdP, type TestIdP } from '@auth/testkit';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/errors.js';
import type { CredentialStore } from '../../src/contracts/v1/credential-store.js';
import { login } from '../../src/session/login.js';
import { createFileStore } from '../../src/stores/file-store.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { getToken } from '../../src/token/token-manager.js';
import { tokenKey, type OAuthCredential } from '../../src/token-set.js';
import { recordingInteraction } from '../flows/support/interaction.js';
import { countingFetch, sessionFor, type SessionOptions } from '../flows/support/session.js';

let idp: TestIdP;
beforeAll(async () => {
  idp = await startTestIdP();
});
afterAll(() => idp.close());

const nowSeconds = () => Math.floor(Date.now() / 1000);
/** A clock 3590 s ahead: a one-hour token is then inside its refresh window, but not expired. */
const inRefreshWindow = () => nowSeconds() + 3590;
const afterExpiry = () => nowSeconds() + 7200;

const bob = { password: async () => ({ username: 'bob', password: 'bob-password' }) };
const userProfile = () => ({ issuer: idp.issuer, client_id: 'authctl', flow: 'password' });

/** Logs bob in with the password grant; returns the session (without the password source) and its credential. */
async function loggedIn(options: SessionOptions = {}) {
  const store = options.store ?? createMemoryStore();
  const credential = await login(sessionFor(userProfile(), { ...options, store, secrets: bob }));
  return { store, credential, ctx: (more: SessionOptions = {}) => sessionFor(userProfile(), { ...options, store, ...more }) };
}

/**
 * Logged in with a 2 s access token, which is inside its refresh window at
 * once; the refreshed token is an ordinary fresh one. A real clock, so a
 * token refreshed by one caller is fresh for the next.
 */
async function loggedInStale(options: SessionOptions = {}) {
  idp.setAccessTokenTtl(2);
  try {
    return await loggedIn(options);
  } finally {
    idp.setAccessTokenTtl(3600);
  }
}

async function stored(store: CredentialStore): Promise<OAuthCredential> {
  const credential = await store.get(tokenKey('dev'));
  if (credential?.kind !== 'oauth') throw new Error('no credential stored');
  return credential;
}

describe('token manager', () => {
  it('returns a fresh cached token without any network request', async () => {
    const { credential, ctx } = await loggedIn();
    const { fetch: counted, urls } = countingFetch();

    const tokens = await getToken(ctx({ fetch: counted }));

    expect(tokens).toEqual(credential.tokens);
    expect(urls).toEqual([]);
  });

  it('renewAccessToken renews a fresh token ahead of the window, and a token renewed meanwhile is used as it is', async () => {
    const { credential, ctx } = await loggedIn();
    const before = idp.grantCount('refresh_token');

    const renewed = await getToken(ctx(), { renewAccessToken: credential.tokens.access_token });
    expect(idp.grantCount('refresh_token')).toBe(before + 1);
    expect(renewed.access_token).not.toBe(credential.tokens.access_token);

    // A second caller that still knew the old token finds the renewed one: no second refresh.
    const again = await getToken(ctx(), { renewAccessToken: credential.tokens.access_token });
    expect(again).toEqual(renewed);
    expect(idp.grantCount('refresh_token')).toBe(before + 1);
  });

  it('inside the refresh window refreshes, stores the rotated refresh token, and the old one is spent', async () => {
    const { store, credential, ctx } = await loggedIn();
    const before = idp.grantCount('refresh_token');

    const tokens = await getToken(ctx({ now: inRefreshWindow }));

    expect(idp.grantCount('refresh_token')).toBe(before + 1);
    expect(tokens.access_token).not.toBe(credential.tokens.access_token);
    expect(tokens.refresh_token).not.toBe(credential.tokens.refresh_token);
    expect((await stored(store)).tokens).toEqual(tokens);
    const server = await oauth.processDiscoveryResponse(
      new URL(idp.issuer),
      await oauth.discoveryRequest(new URL(idp.issuer), { [oauth.allowInsecureRequests]: true }),
    );
    const reuse = oauth.refreshTokenGrantRequest(server, { client_id: 'authctl' }, oauth.None(), credential.tokens.refresh_token!, {
      [oauth.allowInsecureRequests]: true,
    });
    await expect(reuse.then((response) => oauth.processRefreshTokenResponse(server, { client_id: 'authctl' }, response))).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('concurrent calls in one process share a single refresh', async () => {
    const { ctx } = await loggedInStale();
    const before = idp.grantCount('refresh_token');

    const results = await Promise.all(Array.from({ length: 16 }, () => getToken(ctx())));

    expect(idp.grantCount('refresh_token')).toBe(before + 1);
    expect(new Set(results.map((tokens) => tokens.access_token)).size).toBe(1);
  });

  it('two store instances on one directory (as two processes) refresh once: the lock holder refreshes, the other re-reads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'authctl-token-manager-'));
    try {
      const { ctx } = await loggedInStale({ store: createFileStore({ dir }) });
      const other = sessionFor(userProfile(), { store: createFileStore({ dir }) });
      const before = idp.grantCount('refresh_token');

      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => getToken(i % 2 === 0 ? ctx() : other)));

      expect(idp.grantCount('refresh_token')).toBe(before + 1);
      expect(new Set(results.map((tokens) => tokens.access_token)).size).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a revoked refresh token is LOGIN_REQUIRED (exit 3); the store keeps the login, minus the dead refresh token, marked as refused', async () => {
    const { store, ctx } = await loggedIn();
    const before = await stored(store);
    await idp.revokeAllGrants();
    const refreshes = idp.grantCount('refresh_token');
    const later = afterExpiry();

    const error = await getToken(ctx({ now: () => later })).catch((e: unknown) => e);
    const again = await getToken(ctx({ now: () => later })).catch((e: unknown) => e);

    for (const failure of [error, again]) {
      expect(failure).toMatchObject({ code: 'LOGIN_REQUIRED', message: expect.stringContaining('no longer accepts its refresh token'), details: { hint: 'run `authctl login --profile dev`' } });
      expect(exitCodeFor(failure)).toBe(3);
    }
    expect(idp.grantCount('refresh_token')).toBe(refreshes + 1);
    const { refresh_token: _dead, ...tokens } = before.tokens;
    expect(await stored(store)).toEqual({ ...before, tokens, refresh_rejected_at: later });
  });

  it('a refused refresh is recorded under the lock: other processes waiting on it re-read and fail without redeeming the dead token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'authctl-token-manager-'));
    try {
      const { ctx } = await loggedIn({ store: createFileStore({ dir }) });
      await idp.revokeAllGrants();
      const processes = Array.from({ length: 8 }, () => sessionFor(userProfile(), { store: createFileStore({ dir }), now: afterExpiry }));
      const refreshes = idp.grantCount('refresh_token');

      const failures = await Promise.all([ctx({ now: afterExpiry }), ...processes].map((session) => getToken(session).catch((e: unknown) => e)));

      expect(failures.map((failure) => (failure as { code?: string }).code)).toEqual(Array(9).fill('LOGIN_REQUIRED'));
      expect(idp.grantCount('refresh_token')).toBe(refreshes + 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a password login whose password source needs no person logs in again silently when the refresh token is refused', async () => {
    const { store, ctx } = await loggedIn();
    await idp.revokeAllGrants();
    const before = idp.grantCount('password');
    const { interaction, steps } = recordingInteraction();

    const tokens = await getToken(ctx({ now: afterExpiry, secrets: bob, interaction }));

    expect(idp.grantCount('password')).toBe(before + 1);
    expect((await stored(store)).tokens).toEqual(tokens);
    expect(steps).toEqual([]);
  });

  it('a service account logs in again silently when its token is stale (no refresh token)', async () => {
    const store = createMemoryStore();
    const profile = { issuer: idp.issuer, client_id: 'authctl', service_account: { client_id: 'svc' } };
    const secrets = { clientSecret: async () => 'svc-secret' };
    const first = await login(sessionFor(profile, { store, secrets }), { flow: 'client-credentials' });
    expect(first.tokens.refresh_token).toBeUndefined();
    const before = idp.grantCount('client_credentials');
    const { interaction, steps } = recordingInteraction();

    const tokens = await getToken(sessionFor(profile, { store, secrets, interaction, now: afterExpiry }));

    expect(idp.grantCount('client_credentials')).toBe(before + 1);
    expect(tokens.access_token).not.toBe(first.tokens.access_token);
    expect((await stored(store)).flow).toBe('client-credentials');
    expect(steps).toEqual([]);
  });

  it('a person-login credential without a refresh token is LOGIN_REQUIRED', async () => {
    const store = createMemoryStore();
    const { credential } = await loggedIn({ store });
    const { refresh_token: _dropped, ...tokens } = credential.tokens;
    await store.set(tokenKey('dev'), { ...credential, tokens });

    await expect(getToken(sessionFor(userProfile(), { store, now: afterExpiry }))).rejects.toMatchObject({ code: 'LOGIN_REQUIRED' });
  });

  it('with nothing stored it is LOGIN_REQUIRED with the login command as hint', async () => {
    await expect(getToken(sessionFor(userProfile()))).rejects.toMatchObject({
      code: 'LOGIN_REQUIRED',
      message: expect.stringContaining('dev'),
      details: { hint: 'run `authctl login --profile dev`' },
    });
  });

  it('a stored credential whose token endpoint is plain http:// to a remote host is refused before any request', async () => {
    const { store, credential } = await loggedIn();
    await store.set(tokenKey('dev'), { ...credential, server: { token_endpoint: 'http://idp.example.com/token' } });
    const { fetch: counted, urls } = countingFetch();

    await expect(getToken(sessionFor(userProfile(), { store, fetch: counted, now: afterExpiry }))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('http://idp.example.com/token'),
    });
    expect(urls).toEqual([]);
  });
});

describe('token manager when the IdP is unreachable', () => {
  let down: TestIdP;
  beforeAll(async () => {
    down = await startTestIdP();
  });
  afterAll(() => down.close());

  const profile = () => ({ issuer: down.issuer, client_id: 'authctl', flow: 'password', timeout: 2 });

  it('returns the cached token while it is still valid, and NETWORK naming the URL once it has expired', async () => {
    const store = createMemoryStore();
    const credential = await login(sessionFor(profile(), { store, secrets: bob }));
    await down.setOutage('refuse');
    try {
      const stillValid = await getToken(sessionFor(profile(), { store, now: inRefreshWindow }));
      expect(stillValid).toEqual(credential.tokens);

      const error = await getToken(sessionFor(profile(), { store, now: afterExpiry })).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'NETWORK', details: { url: `${down.issuer}/token` } });
      expect(exitCodeFor(error)).toBe(5);
    } finally {
      await down.setOutage('none');
    }
  });

  it('an IdP answering 503 is NETWORK with the status', async () => {
    const store = createMemoryStore();
    await login(sessionFor(profile(), { store, secrets: bob }));
    await down.setOutage('503');
    try {
      await expect(getToken(sessionFor(profile(), { store, now: afterExpiry }))).rejects.toMatchObject({
        code: 'NETWORK',
        details: { status: 503 },
      });
    } finally {
      await down.setOutage('none');
    }
  });

  it('an IdP that never answers is TIMEOUT naming the URL and the configured timeout', async () => {
    const blackhole = await startBlackhole();
    try {
      const store = createMemoryStore();
      const credential = await login(sessionFor(profile(), { store, secrets: bob }));
      const tokenUrl = `${blackhole.url}/token`;
      await store.set(tokenKey('dev'), { ...credential, server: { token_endpoint: tokenUrl } });

      const error = await getToken(sessionFor({ ...profile(), timeout: 1 }, { store, now: afterExpiry })).catch((e: unknown) => e);

      expect(error).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('1 s'), details: { url: tokenUrl } });
      expect(exitCodeFor(error)).toBe(5);
    } finally {
      await blackhole.close();
    }
  });
});
