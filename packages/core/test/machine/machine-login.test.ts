import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMachineLoginDouble, type MachineLoginDouble, type MachineLoginDoubleOptions } from '@auth/testkit';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveProfile } from '../../src/config/resolve-profile.js';
import type { AuthctlConfig } from '../../src/config/types.js';
import type { Provider } from '../../src/contracts/v1/provider.js';
import { AuthError, exitCodeFor } from '../../src/errors.js';
import { machineProvider } from '../../src/machine/machine-provider.js';
import { defineProvider } from '../../src/plugins/define-provider.js';
import { login } from '../../src/session/login.js';
import { logout } from '../../src/session/logout.js';
import type { SecretSources, SessionContext } from '../../src/session/types.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { getToken } from '../../src/token/token-manager.js';
import { tokenKey, type OAuthCredential } from '../../src/token-set.js';
import { fakeClock, type FakeClock } from '../flows/support/fake-clock.js';
import { recordingInteraction } from '../flows/support/interaction.js';
import type { CredentialStore } from '../../src/contracts/v1/credential-store.js';

let api: MachineLoginDouble | undefined;
let folder: string | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
  if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  folder = undefined;
});

/** The double and the session share one fake clock: TTL rules are proven without waiting. */
async function start(options: MachineLoginDoubleOptions = {}): Promise<{ api: MachineLoginDouble; clock: FakeClock }> {
  const clock = fakeClock();
  api = await startMachineLoginDouble({ now: clock.now, ...options });
  return { api, clock };
}

interface Session {
  store?: CredentialStore;
  secrets?: SecretSources;
  clock: FakeClock;
  provider?: Provider<any>;
  timeout?: number;
}

function session(profile: Record<string, unknown>, options: Session): SessionContext {
  const provider = options.provider ?? machineProvider;
  const config: AuthctlConfig = {
    home: '/nonexistent/authctl',
    file: '/nonexistent/authctl/config.toml',
    exists: true,
    store: { backend: 'file', path: '/nonexistent/authctl/state' },
    profiles: { ci: { provider: provider.id, ...(options.timeout === undefined ? {} : { timeout: options.timeout }), ...profile } },
  };
  return {
    profile: resolveProfile(config, 'ci', provider),
    provider,
    store: options.store ?? createMemoryStore(),
    interaction: recordingInteraction().interaction,
    now: options.clock.now,
    sleep: options.clock.sleep,
    env: {},
    ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
  };
}

function universalAuth(double: MachineLoginDouble): Record<string, unknown> {
  return { method: 'universal-auth', domain: double.url, client_id: double.universalAuth.clientId };
}

const secretOf = (double: MachineLoginDouble): SecretSources => ({ clientSecret: async () => double.universalAuth.clientSecret });

async function stored(store: CredentialStore): Promise<OAuthCredential> {
  const credential = await store.get(tokenKey('ci'));
  if (credential?.kind !== 'oauth') throw new Error('nothing stored');
  return credential;
}

async function refusal(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!AuthError.is(error)) throw new Error(`expected an AuthError, got ${String(error)}`);
  return error;
}

describe('exchange: universal-auth login', () => {
  it('posts {clientId, clientSecret} to <domain>/api/v1/auth/universal-auth/login and stores a JWT the API signed, with the max-TTL deadline', async () => {
    const { api, clock } = await start({ accessTokenTTL: 3600, accessTokenMaxTTL: 86400 });
    const store = createMemoryStore();
    const loggedInAt = clock.now();

    const credential = await login(session(universalAuth(api), { store, clock, secrets: secretOf(api) }));

    expect(api.requests).toEqual([{ path: '/api/v1/auth/universal-auth/login', fields: ['clientId', 'clientSecret'] }]);
    expect((await api.verify(credential.tokens.access_token)).identityId).toBe(api.universalAuth.identityId);
    expect(credential).toMatchObject({
      flow: 'exchange',
      identity: api.universalAuth.clientId,
      tokens: { token_type: 'Bearer', issued_at: loggedInAt, expires_at: loggedInAt + 3600 },
      machine: { method: 'universal-auth', api: `${api.url}/api`, max_expires_at: loggedInAt + 86400 },
    });
    expect(await stored(store)).toEqual(credential);
  });

  it('a domain already ending in /api (kms --domain https://host/api) is not given a second /api', async () => {
    const { api, clock } = await start();
    await login(session({ ...universalAuth(api), domain: `${api.url}/api/` }, { clock, secrets: secretOf(api) }));
    expect(api.requests.map((request) => request.path)).toEqual(['/api/v1/auth/universal-auth/login']);
  });

  it('sends organization_slug as organizationSlug (kms --organization-slug)', async () => {
    const { api, clock } = await start();
    await login(session({ ...universalAuth(api), organization_slug: 'team-a' }, { clock, secrets: secretOf(api) }));
    expect(api.requests[0]?.fields).toEqual(['clientId', 'clientSecret', 'organizationSlug']);
  });

  it('a wrong secret is INVALID_CREDENTIALS (exit 4) with the server message, and nothing is stored', async () => {
    const { api, clock } = await start();
    const store = createMemoryStore();
    const error = await refusal(login(session(universalAuth(api), { store, clock, secrets: { clientSecret: async () => 'wrong-secret' } })));

    expect(error.code).toBe('INVALID_CREDENTIALS');
    expect(exitCodeFor(error)).toBe(4);
    expect(error.message).toContain('401: Invalid credentials');
    expect(error.message).not.toContain('wrong-secret');
    expect(await store.list()).toEqual([]);
  });

  it('no client secret anywhere is LOGIN_REQUIRED (exit 3) naming where to put it, before any request', async () => {
    const { api, clock } = await start();
    const error = await refusal(login(session(universalAuth(api), { clock })));
    expect(exitCodeFor(error)).toBe(3);
    expect(error.hint).toMatch(/INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET/);
    expect(api.requests).toEqual([]);
  });

  it('RFC 9110 §15.5.29: a 429 with Retry-After is waited out once, on the injected clock', async () => {
    const { api, clock } = await start();
    api.refuse({ on: 'login', status: 429, retryAfter: 2, times: 1 });
    await login(session(universalAuth(api), { clock, secrets: secretOf(api) }));
    expect(clock.slept).toEqual([2000]);
    expect(api.requests).toHaveLength(2);
  });

  it('a second 429 fails as NETWORK (exit 5) with the wait in the hint', async () => {
    const { api, clock } = await start();
    api.refuse({ on: 'login', status: 429, retryAfter: 2 });
    const error = await refusal(login(session(universalAuth(api), { clock, secrets: secretOf(api) })));
    expect(exitCodeFor(error)).toBe(5);
    expect(error.hint).toBe('try again in 2 s');
    expect(clock.slept).toEqual([2000]);
  });

  it('a Retry-After beyond the request timeout fails at once instead of waiting', async () => {
    const { api, clock } = await start();
    api.refuse({ on: 'login', status: 429, retryAfter: 60 });
    const error = await refusal(login(session(universalAuth(api), { clock, secrets: secretOf(api), timeout: 10 })));
    expect(error.code).toBe('NETWORK');
    expect(clock.slept).toEqual([]);
  });

  it('a 5xx is NETWORK (exit 5)', async () => {
    const { api, clock } = await start();
    api.refuse({ on: 'login', status: 503, message: 'Something went wrong' });
    const error = await refusal(login(session(universalAuth(api), { clock, secrets: secretOf(api) })));
    expect(error.code).toBe('NETWORK');
    expect(error.message).toContain('503: Something went wrong');
  });
});

describe('exchange: jwt-auth and oidc-auth', () => {
  it('reads the JWT from jwt_file at each login and posts {identityId, jwt}', async () => {
    const { api, clock } = await start();
    folder = await mkdtemp(join(tmpdir(), 'authctl-jwt-'));
    const jwtFile = join(folder, 'token');
    await writeFile(jwtFile, `${await api.workloadJwt()}\n`);

    for (const method of ['jwt-auth', 'oidc-auth']) {
      const credential = await login(session({ method, domain: api.url, identity_id: api.jwtIdentityId, jwt_file: jwtFile }, { clock }));
      expect((await api.verify(credential.tokens.access_token)).identityId).toBe(api.jwtIdentityId);
    }
    expect(api.requests).toEqual([
      { path: '/api/v1/auth/jwt-auth/login', fields: ['identityId', 'jwt'] },
      { path: '/api/v1/auth/oidc-auth/login', fields: ['identityId', 'jwt'] },
    ]);
  });

  it('a JWT from the secret sources (--jwt, INFISICAL_JWT) wins over jwt_file', async () => {
    const { api, clock } = await start();
    const jwt = await api.workloadJwt();
    const profile = { method: 'jwt-auth', domain: api.url, identity_id: api.jwtIdentityId, jwt_file: '/nonexistent/token' };
    const credential = await login(session(profile, { clock, secrets: { jwt: async () => jwt } }));
    expect(credential.client_id).toBe(api.jwtIdentityId);
  });

  it('a JWT the API does not trust is ACCESS_DENIED (403, exit 4) with the server message', async () => {
    const { api, clock } = await start();
    const error = await refusal(login(session({ method: 'jwt-auth', domain: api.url, identity_id: api.jwtIdentityId }, { clock, secrets: { jwt: async () => 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' } })));
    expect(error.code).toBe('ACCESS_DENIED');
    expect(exitCodeFor(error)).toBe(4);
    expect(error.message).toContain('403: Access denied: issuer mismatch');
  });

  it('an unreadable jwt_file is CONFIG_INVALID naming the key and the path', async () => {
    const { api, clock } = await start();
    const error = await refusal(login(session({ method: 'jwt-auth', domain: api.url, identity_id: api.jwtIdentityId, jwt_file: '/nonexistent/token' }, { clock })));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('profiles.ci.jwt_file');
    expect(error.message).toContain('/nonexistent/token');
  });
});

describe('exchange: a provider proof', () => {
  /** A platform provider as the cloud packages write them: its proof names the login API method. */
  const platform = defineProvider({
    specificationVersion: 'v1',
    id: 'platform',
    name: 'Platform',
    options: z.object({}),
    proof: {
      specificationVersion: 'v1',
      methods: ['platform-iam'],
      prove: async (request) => ({ loginMethod: 'platform-auth', body: { identityId: request.identityId!, token: `signed-by-${request.env.PLATFORM_KEY}` } }),
    },
  });

  it('posts the proof of the profile provider to the login method it names, with the environment given to the session', async () => {
    const { api, clock } = await start({
      methods: { 'platform-auth': (body) => (body.token === 'signed-by-k1' ? String(body.identityId) : undefined) },
    });
    const store = createMemoryStore();
    const ctx = { ...session({ method: 'platform-iam', domain: api.url, identity_id: 'id-1' }, { store, clock, provider: platform }), env: { PLATFORM_KEY: 'k1' } };

    const credential = await login(ctx);
    expect((await api.verify(credential.tokens.access_token)).identityId).toBe('id-1');
    expect(credential.server.token_endpoint).toBe(`${api.url}/api/v1/auth/platform-auth/login`);
  });

  it('a login API without that method (404) is CONFIG_INVALID pointing at the domain', async () => {
    const { api, clock } = await start();
    const ctx = { ...session({ method: 'platform-iam', domain: api.url, identity_id: 'id-1' }, { clock, provider: platform }), env: { PLATFORM_KEY: 'k1' } };
    const error = await refusal(login(ctx));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(`There is no machine-identity login API at ${api.url}/api/v1/auth/platform-auth/login`);
    expect(error.hint).toMatch(/--domain/);
  });

  it('a method the profile provider does not prove is CONFIG_INVALID naming profiles.NAME.method', async () => {
    const { api, clock } = await start();
    const error = await refusal(login(session({ method: 'kubernetes', domain: api.url, identity_id: 'x' }, { clock })));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/profiles\.ci\.method.*"kubernetes".*universal-auth, jwt-auth, oidc-auth/);
  });
});

describe('token manager: machine tokens', () => {
  async function loggedIn(options: MachineLoginDoubleOptions) {
    const started = await start(options);
    const store = createMemoryStore();
    const credential = await login(session(universalAuth(started.api), { store, clock: started.clock, secrets: secretOf(started.api) }));
    started.api.requests.length = 0;
    return { ...started, store, credential };
  }

  it('inside the refresh window renews at /api/v1/auth/token/renew: a new JWT, the same max-TTL deadline', async () => {
    const { api, clock, store, credential } = await loggedIn({ accessTokenTTL: 3600, accessTokenMaxTTL: 86400 });
    await clock.sleep(3590_000, new AbortController().signal);

    const tokens = await getToken(session(universalAuth(api), { store, clock }));

    expect(api.requests.map((request) => request.path)).toEqual(['/api/v1/auth/token/renew']);
    expect(tokens.access_token).not.toBe(credential.tokens.access_token);
    expect(tokens.expires_at).toBe(clock.now() + 3600);
    expect((await stored(store)).machine).toEqual(credential.machine);
    await expect(api.verify(tokens.access_token)).resolves.toBeDefined();
  });

  it('a fresh token costs no request', async () => {
    const { api, clock, store, credential } = await loggedIn({ accessTokenTTL: 3600 });
    expect(await getToken(session(universalAuth(api), { store, clock }))).toEqual(credential.tokens);
    expect(api.requests).toEqual([]);
  });

  it('when a renewal would pass the max TTL, logs in again silently with the stored secret instead', async () => {
    const { api, clock, store, credential } = await loggedIn({ accessTokenTTL: 3600, accessTokenMaxTTL: 5000 });
    await store.set(`ci#client_secret`, { kind: 'secret', value: api.universalAuth.clientSecret });
    await clock.sleep(3590_000, new AbortController().signal);

    const tokens = await getToken(session(universalAuth(api), { store, clock }));

    expect(api.requests.map((request) => request.path)).toEqual(['/api/v1/auth/universal-auth/login']);
    expect(tokens.access_token).not.toBe(credential.tokens.access_token);
    expect((await stored(store)).machine?.max_expires_at).toBe(clock.now() + 5000);
  });

  it('a refused renewal logs in again silently', async () => {
    const { api, clock, store } = await loggedIn({ accessTokenTTL: 3600, accessTokenMaxTTL: 86400 });
    api.refuse({ on: 'renew', status: 401, message: 'No identity access token found' });
    await clock.sleep(3590_000, new AbortController().signal);

    await getToken(session(universalAuth(api), { store, clock, secrets: secretOf(api) }));

    expect(api.requests.map((request) => request.path)).toEqual(['/api/v1/auth/token/renew', '/api/v1/auth/universal-auth/login']);
  });

  it('past the max TTL without any client secret: the valid token is kept, an expired one is LOGIN_REQUIRED (exit 3)', async () => {
    const { api, clock, store, credential } = await loggedIn({ accessTokenTTL: 3600, accessTokenMaxTTL: 3600 });
    await clock.sleep(3590_000, new AbortController().signal);
    expect(await getToken(session(universalAuth(api), { store, clock }))).toEqual(credential.tokens);

    await clock.sleep(20_000, new AbortController().signal);
    const error = await refusal(getToken(session(universalAuth(api), { store, clock })));
    expect(exitCodeFor(error)).toBe(3);
    expect(api.requests).toEqual([]);
  });

  it('concurrent callers in one process share one renewal', async () => {
    const { api, clock, store } = await loggedIn({ accessTokenTTL: 3600, accessTokenMaxTTL: 86400 });
    await clock.sleep(3590_000, new AbortController().signal);
    const ctx = session(universalAuth(api), { store, clock });

    const tokens = await Promise.all([getToken(ctx), getToken(ctx), getToken(ctx)]);

    expect(new Set(tokens.map((token) => token.access_token)).size).toBe(1);
    expect(api.requests).toHaveLength(1);
  });
});

describe('logout of a machine identity', () => {
  it('revokes the access token at /api/v1/auth/token/revoke, then deletes it; the API refuses to renew it afterwards', async () => {
    const { api, clock } = await start();
    const store = createMemoryStore();
    const credential = await login(session(universalAuth(api), { store, clock, secrets: secretOf(api) }));

    const result = await logout(session(universalAuth(api), { store, clock }));

    expect(result).toMatchObject({ revoked: true, deleted: true, revocation: { outcome: 'answered', revoked: ['access_token'] } });
    expect(api.revoked()).toHaveLength(1);
    const renewal = await fetch(`${api.url}/api/v1/auth/token/renew`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accessToken: credential.tokens.access_token }),
    });
    expect(renewal.status).toBe(401);
  });
});
