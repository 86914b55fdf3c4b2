import { fileURLToPath } from 'node:url';
import {
  AuthError,
  createMemoryStore,
  getToken,
  loadProvider,
  providerCatalog,
  login,
  resolveProfile,
  tokenKey,
  type AuthctlConfig,
  type SessionContext,
} from '@auth/core';
import { devicePerson, startAuth0Double, type Auth0Double } from '@auth/testkit';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import auth0Default, { auth0, auth0Issuer } from '../src/index.js';

/** This package's folder: loadProvider finds it there as AUTHCTL_PLUGIN_PATH names it, as authctl would. */
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

let idp: Auth0Double;
beforeAll(async () => {
  idp = await startAuth0Double();
});
afterAll(() => idp.close());

const FILE = '/home/someone/.config/authctl/config.toml';

function config(profile: Record<string, unknown>): AuthctlConfig {
  return {
    home: '/home/someone/.config/authctl',
    file: FILE,
    exists: true,
    store: { backend: 'file', path: '/home/someone/.config/authctl/state' },
    profiles: { dev: { provider: 'auth0', domain: idp.url, ...profile } },
  };
}

/** A person who approves every device code as soon as it is shown. */
function approvingPerson() {
  return devicePerson((userCode) => idp.approveDevice(userCode));
}

function session(profile: Record<string, unknown>, interaction = approvingPerson().interaction): SessionContext {
  return { profile: resolveProfile(config(profile), 'dev', auth0), provider: auth0, store: createMemoryStore(), interaction };
}

/** The access token, verified as the API would: JWKS from /.well-known/jwks.json, issuer with its slash. */
async function verifiedForApi(token: string) {
  const jwks = createRemoteJWKSet(new URL(`${idp.url}/.well-known/jwks.json`));
  return (await jwtVerify(token, jwks, { issuer: idp.issuer, audience: idp.audience })).payload;
}

// Auth0: device flow https://auth0.com/docs/get-started/authentication-and-authorization-flow/device-authorization-flow, client credentials https://auth0.com/docs/get-started/authentication-and-authorization-flow/client-credentials-flow,
// refresh token rotation https://auth0.com/docs/secure/tokens/refresh-tokens/refresh-token-rotation, issuer https://auth0.com/docs/secure/tokens/json-web-tokens/validate-json-web-tokens.
describe('@auth/provider-auth0', () => {
  it('is what loadProvider finds for provider = "auth0"', async () => {
    const loaded = await loadProvider('auth0', providerCatalog({ cwd: PACKAGE, env: { AUTHCTL_PLUGIN_PATH: PACKAGE } }, String));

    expect(loaded.id).toBe('auth0');
    expect(auth0Default).toBe(auth0);
  });

  it('Auth0 issuer: the issuer is https://{domain}/ with its trailing slash', () => {
    expect(auth0Issuer({ domain: 'my-tenant.eu.auth0.com' })).toBe('https://my-tenant.eu.auth0.com/');
  });

  it('Auth0 device flow: device login sends audience, opens verification_uri_complete, and the ID token is checked against the slashed issuer', async () => {
    const person = approvingPerson();
    const ctx = session({ client_id: idp.clients.native, audience: idp.audience }, person.interaction);

    const credential = await login(ctx);

    expect(person.events[0]).toMatchObject({ event: 'device_code', verification_uri_complete: expect.stringContaining('/activate?user_code=') });
    expect(idp.requests.find((request) => request.path === '/oauth/device/code')).toMatchObject({ audience: idp.audience });
    expect(credential.server.issuer).toBe(idp.issuer);
    expect(credential.tokens.id_token).toBeDefined();
    expect(credential.subject).toBe(idp.user.sub);
    expect((await verifiedForApi(credential.tokens.access_token)).sub).toBe(idp.user.sub);
  });

  it('Auth0 refresh token rotation: each rotated refresh token is stored and used next, so reuse detection never fires', async () => {
    const ctx = session({ client_id: idp.clients.native, audience: idp.audience });
    const first = await login(ctx);

    await getToken({ ...ctx, now: () => Math.floor(Date.now() / 1000) + 86400 });
    const stored = await ctx.store.get(tokenKey('dev'));
    const afterRefresh = stored?.kind === 'oauth' ? stored.tokens : undefined;
    await getToken({ ...ctx, now: () => Math.floor(Date.now() / 1000) + 2 * 86400 });

    expect(afterRefresh?.refresh_token).toBeDefined();
    expect(afterRefresh?.refresh_token).not.toBe(first.tokens.refresh_token);
    // Both refreshes used the latest token: no reuse was detected.
    expect(idp.revokedFamilies()).toBe(0);
    expect((await verifiedForApi(afterRefresh!.access_token)).aud).toContain(idp.audience);
  });

  it('Auth0 client credentials send the audience and get a token for that API', async () => {
    const ctx: SessionContext = {
      ...session({ client_id: idp.clients.machine.id, audience: idp.audience }),
      secrets: { clientSecret: async () => idp.clients.machine.secret },
    };

    const credential = await login(ctx, { flow: 'client-credentials' });

    expect(idp.requests.at(-1)).toMatchObject({ path: '/oauth/token', grant_type: 'client_credentials', audience: idp.audience });
    expect((await verifiedForApi(credential.tokens.access_token)).sub).toBe(`${idp.clients.machine.id}@clients`);
  });

  it('Auth0 client credentials without an audience fail before any request, naming profiles.NAME.audience', async () => {
    const before = idp.requests.length;
    const ctx: SessionContext = {
      ...session({ client_id: idp.clients.machine.id }),
      secrets: { clientSecret: async () => idp.clients.machine.secret },
    };

    const error = await login(ctx, { flow: 'client-credentials' }).catch((e: unknown) => e);

    expect(AuthError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', details: { key: 'profiles.dev.audience', file: FILE, profile: 'dev' } });
    expect(idp.requests.length).toBe(before);
  });

  it('an audience from parameters (influxctl style) is used too', async () => {
    const ctx: SessionContext = {
      ...session({ client_id: idp.clients.machine.id, parameters: { audience: idp.audience } }),
      secrets: { clientSecret: async () => idp.clients.machine.secret },
    };

    const credential = await login(ctx, { flow: 'client-credentials' });

    expect((await verifiedForApi(credential.tokens.access_token)).aud).toContain(idp.audience);
  });

  it('Auth0 device flow: an expired device code ends the login with EXPIRED_TOKEN', async () => {
    const ctx = session(
      { client_id: idp.clients.native },
      devicePerson((userCode) => idp.devices.expire(userCode)).interaction,
    );

    const error = await login(ctx).catch((e: unknown) => e);

    expect(AuthError.is(error) && error.code).toBe('EXPIRED_TOKEN');
  });

  it('requires domain, naming the profile key', () => {
    expect(() => resolveProfile({ ...config({}), profiles: { dev: { provider: 'auth0' } } }, 'dev', auth0)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', details: expect.objectContaining({ key: 'profiles.dev.domain' }) }),
    );
  });
});
