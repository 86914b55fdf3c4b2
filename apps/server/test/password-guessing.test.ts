import type * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashSecret } from '../src/index.js';
import { startWithConfig, type ConfigServer } from './support/config-server.js';
import { DEMO_PASSWORD, SERVICE_SECRET } from './support/credentials.js';
import { fetchFrom } from './support/from-address.js';
import { formOf, HttpUser } from './support/http-user.js';
import { authorizationRequest, discover } from './support/oauth-client.js';

/**
 * Password and client-secret guessing against the built server, each test
 * from its own loopback address (127.0.0.x) so that the per-address counts
 * of one test do not reach into another.
 */

const ALICE_PASSWORD = 'alice-password-0123456789';
const CAROL_PASSWORD = 'carol-password-0123456789';
const OTHER_SECRET = 'other-service-secret-0123456789abcdef';
const REDIRECT = 'http://127.0.0.1:1/callback'; // never fetched: a sign-in that works stops at the redirect
// Small enough to reach in a test; long enough that no lock can expire while a test runs.
const LOCKOUT = { failures: 3, address_failures: 8, first_lock_seconds: 600, max_lock_seconds: 3600 };

let server: ConfigServer;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  const hash = (secret: string) => hashSecret(secret, { ln: 10, r: 8, p: 1 });
  server = await startWithConfig({
    users: [
      { username: 'demo', password_hash: await hash(DEMO_PASSWORD) },
      { username: 'alice', password_hash: await hash(ALICE_PASSWORD) },
      { username: 'carol', password_hash: await hash(CAROL_PASSWORD) },
    ],
    clients: [
      { client_id: 'authctl', grants: ['authorization_code'], redirect_uris: ['http://127.0.0.1/callback'] },
      { client_id: 'demo-service', secret_hash: await hash(SERVICE_SECRET), grants: ['client_credentials'] },
      { client_id: 'other-service', secret_hash: await hash(OTHER_SECRET), grants: ['client_credentials'] },
    ],
    lockout: LOCKOUT,
  });
  as = await discover(server.issuer);
});
afterAll(async () => {
  await server?.remove();
});

interface SignInAnswer {
  status: number;
  /** The page, with what differs between any two responses (the CSP nonce) and the echoed username taken out. */
  page: string;
  signedIn: boolean;
}

/** A browser at the sign-in page, its requests coming from `address`. */
async function signInPageFrom(address: string) {
  const user = new HttpUser(fetchFrom(address));
  const page = await user.follow((await authorizationRequest(as, REDIRECT)).url.href);
  const { action, fields } = formOf(page);
  return async (username: string, password: string): Promise<SignInAnswer> => {
    const res = await user.request(action, { form: { ...fields, username, password } });
    const html = await res.text();
    return {
      status: res.status,
      page: html.replace(/nonce(-|=")[A-Za-z0-9+/=]+/g, 'nonce$1…').replaceAll(`value="${username}"`, 'value="…"'),
      signedIn: res.status === 303 && !res.headers.get('location')!.includes('/interaction/'),
    };
  };
}

async function clientCredentialsFrom(address: string, clientId: string, secret: string) {
  const res = await fetchFrom(address)(as.token_endpoint!, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  return { status: res.status, body: await res.text() };
}

describe('password guessing', () => {
  test('after 3 wrong passwords for demo the right one is refused with the wrong-password page, from any address', async () => {
    const signIn = await signInPageFrom('127.0.0.3');
    const wrong = await signIn('demo', 'wrong-password-1');
    expect(wrong.status).toBe(200);
    expect(wrong.page).toContain('Incorrect username or password.');
    await signIn('demo', 'wrong-password-2');
    await signIn('demo', 'wrong-password-3');

    const locked = await signIn('demo', DEMO_PASSWORD);
    expect(locked.signedIn).toBe(false);
    expect(locked).toEqual(wrong);

    const elsewhere = await (await signInPageFrom('127.0.0.6'))('demo', DEMO_PASSWORD);
    expect(elsewhere.signedIn).toBe(false);
    expect(elsewhere.page).toContain('Incorrect username or password.');
    expect(server.stderr()).not.toContain(DEMO_PASSWORD);
  });

  test('an unknown user, a wrong password and a locked account get the same status and page', async () => {
    const signIn = await signInPageFrom('127.0.0.5');
    const unknown = await signIn('nobody', 'wrong-password');
    const wrong = await signIn('carol', 'wrong-password-1');
    await signIn('carol', 'wrong-password-2');
    await signIn('carol', 'wrong-password-3');
    const locked = await signIn('carol', CAROL_PASSWORD);
    expect(unknown.status).toBe(200);
    expect(wrong).toEqual(unknown);
    expect(locked).toEqual(unknown);
  });

  test('an address that keeps failing is refused even the right password, while the same account signs in from another address', async () => {
    const fromGuesser = await signInPageFrom('127.0.0.2');
    for (const username of ['u1', 'u2', 'u3', 'u4']) {
      for (const attempt of [1, 2]) expect((await fromGuesser(username, `guess-${attempt}`)).signedIn).toBe(false);
    }
    const refused = await fromGuesser('alice', ALICE_PASSWORD);
    expect(refused.signedIn).toBe(false);
    expect(refused.page).toContain('Incorrect username or password.');

    const elsewhere = await (await signInPageFrom('127.0.0.8'))('alice', ALICE_PASSWORD);
    expect(elsewhere.signedIn).toBe(true);
  });
});

describe('client-secret guessing at the token endpoint', () => {
  test('a busy service account is never locked out by its own parallel token requests: 24 at once with the right secret all get a token', async () => {
    const answers = await Promise.all(Array.from({ length: 24 }, () => clientCredentialsFrom('127.0.0.9', 'other-service', OTHER_SECRET)));
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 24 }, () => 200));
  });

  test('wrong secrets are invalid_client, then the client is locked with the same answer, even for the right secret; other clients are unaffected', async () => {
    const wrong = await clientCredentialsFrom('127.0.0.4', 'demo-service', 'wrong-secret-1');
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toMatchObject({ error: 'invalid_client' });
    expect(await clientCredentialsFrom('127.0.0.4', 'demo-service', 'wrong-secret-2')).toEqual(wrong);
    expect(await clientCredentialsFrom('127.0.0.4', 'demo-service', 'wrong-secret-3')).toEqual(wrong);

    expect(await clientCredentialsFrom('127.0.0.4', 'demo-service', 'wrong-secret-4')).toEqual(wrong);
    expect(await clientCredentialsFrom('127.0.0.4', 'demo-service', SERVICE_SECRET)).toEqual(wrong);
    expect(await clientCredentialsFrom('127.0.0.7', 'demo-service', SERVICE_SECRET)).toEqual(wrong);

    const other = await clientCredentialsFrom('127.0.0.4', 'other-service', OTHER_SECRET);
    expect(other.status).toBe(200);
    expect(JSON.parse(other.body).access_token).toBeTruthy();
    expect(server.stderr()).toContain('"event":"client_auth.locked"');
  });
});

describe('behind a trusted proxy', () => {
  const SECRET = 'proxied-service-secret-0123456789';
  let proxied: ConfigServer;
  beforeAll(async () => {
    const secret_hash = await hashSecret(SECRET, { ln: 10, r: 8, p: 1 });
    proxied = await startWithConfig({
      trust_proxy: true,
      clients: ['svc-1', 'svc-2', 'svc-3'].map((client_id) => ({ client_id, secret_hash, grants: ['client_credentials' as const] })),
      lockout: { ...LOCKOUT, address_failures: 4 },
    });
  });
  afterAll(async () => {
    await proxied?.remove();
  });

  test('the client address is the one the proxy appended to X-Forwarded-For: a spoofed first entry does not escape the address lock', async () => {
    const token = async (clientId: string, secret: string, forwardedFor: string) => {
      const res = await fetch(`${proxied.issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
          'x-forwarded-for': forwardedFor,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      return res.status;
    };
    let spoofed = 0;
    for (const clientId of ['svc-1', 'svc-1', 'svc-2', 'svc-2']) expect(await token(clientId, 'wrong', `10.0.0.${++spoofed}, 203.0.113.9`)).toBe(401);
    expect(await token('svc-3', SECRET, `10.0.0.${++spoofed}, 203.0.113.9`)).toBe(401);
    expect(await token('svc-3', SECRET, '203.0.113.10')).toBe(200);
  });
});
