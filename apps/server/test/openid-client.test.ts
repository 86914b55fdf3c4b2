import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as jose from 'jose';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { stringify as stringifyToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashSecret, type ServerConfigInput } from '../src/index.js';
import { start, type RunningBinary } from './support/binary.js';
import { launchChromium, newContext, screenshot } from './support/chromium.js';
import { startLoopbackCallback } from './support/loopback-callback.js';
import { DEMO_PASSWORD, makeDataDir, removeDataDir, SERVICE_SECRET } from './support/test-server.js';

/**
 * panva's openid-client 6 (an OpenID-certified relying party) against the
 * built `auth-server` process, on everything its discovery document
 * advertises. A person's part is played by Debian's chromium on the real pages.
 */

const RESOURCE = 'https://api.example.test';
const insecure = { execute: [client.allowInsecureRequests] };

let server: RunningBinary;
let browser: Browser;
let dataDir: string;
let signedOut: { uri: string; hits: URL[]; server: Server };
const jwtClientKey = await jose.generateKeyPair('ES256', { extractable: true });
let certificateKey: client.CryptoKey;

/** A self-signed certificate for a private_key_jwt client, the way an Entra or Keycloak admin would register one. */
async function selfSignedCertificate(dir: string): Promise<{ pem: string; key: client.CryptoKey }> {
  const keyFile = join(dir, 'client.key');
  const certFile = join(dir, 'client.crt');
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=cert-service'], { timeout: 30_000 });
  return { pem: await readFile(certFile, 'utf8'), key: await jose.importPKCS8(await readFile(keyFile, 'utf8'), 'ES256') };
}

async function listen(): Promise<typeof signedOut> {
  const hits: URL[] = [];
  const http = createServer((req, res) => {
    hits.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
    res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Back at the application</h1>');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { uri: `http://127.0.0.1:${(http.address() as AddressInfo).port}/signed-out`, hits, server: http };
}

beforeAll(async () => {
  dataDir = await makeDataDir();
  signedOut = await listen();
  const certificate = await selfSignedCertificate(dataDir);
  certificateKey = certificate.key;
  const secretHash = await hashSecret(SERVICE_SECRET);
  const config: ServerConfigInput = {
    listen: '127.0.0.1:0',
    data_dir: dataDir,
    users: [{ username: 'demo', password_hash: await hashSecret(DEMO_PASSWORD), claims: { name: 'Demo User', email: 'demo@example.com' } }],
    clients: [
      {
        client_id: 'authctl',
        grants: ['authorization_code', 'device_code', 'refresh_token'],
        redirect_uris: ['http://127.0.0.1/callback'],
        post_logout_redirect_uris: [signedOut.uri],
      },
      { client_id: 'basic-service', secret_hash: secretHash, grants: ['client_credentials'] },
      { client_id: 'post-service', secret_hash: secretHash, token_endpoint_auth_method: 'client_secret_post', grants: ['client_credentials'] },
      { client_id: 'short-lived', secret_hash: secretHash, grants: ['client_credentials'], access_token_ttl: 1 },
      {
        client_id: 'jwks-service',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [{ ...(await jose.exportJWK(jwtClientKey.publicKey)), kty: 'EC', alg: 'ES256' }] },
        grants: ['client_credentials'],
      },
      { client_id: 'cert-service', token_endpoint_auth_method: 'private_key_jwt', certificate: certificate.pem, grants: ['client_credentials'] },
    ],
    resources: [{ identifier: RESOURCE, scopes: ['api:read'], default: true }],
  };
  const file = join(dataDir, 'auth-server.toml');
  await writeFile(file, stringifyToml(config), { mode: 0o600 });
  server = await start(['--config', file]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => signedOut?.server.close(resolve));
  if (dataDir) await removeDataDir(dataDir);
});

const discover = (clientId: string, auth: client.ClientAuth, metadata: Partial<client.ClientMetadata> = {}) =>
  client.discovery(new URL(server.issuer), clientId, metadata, auth, insecure);
const basic = () => discover('basic-service', client.ClientSecretBasic(SERVICE_SECRET));
const cli = () => discover('authctl', client.None());

/** RFC 9068 §4: what a resource server checks offline. */
async function verifyAtResource(token: string) {
  const jwks = jose.createRemoteJWKSet(new URL(`${server.issuer}/jwks`));
  return jose.jwtVerify(token, jwks, { issuer: server.issuer, audience: RESOURCE, typ: 'at+jwt' });
}

async function signIn(page: Page) {
  await page.getByLabel('Username').fill('demo');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Authorization code + PKCE with a person at chromium; returns the token response and the browser page (signed in). */
async function codeLogin(page: Page) {
  const config = await cli();
  const loopback = await startLoopbackCallback();
  try {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: loopback.redirectUri,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    await page.goto(url.href);
    await signIn(page);
    await page.getByRole('button', { name: 'Allow' }).click();
    const tokens = await client.authorizationCodeGrant(config, await loopback.callback, { pkceCodeVerifier: verifier, expectedState: state });
    return { config, tokens };
  } finally {
    await loopback.close();
  }
}

describe('openid-client 6 against the auth-server process', () => {
  test('starting on Node 20 prints no oidc-provider "Unsupported runtime" warning', () => {
    expect(process.versions.node.split('.')[0]).toBe('20');
    expect(server.stderr()).not.toMatch(/Unsupported runtime/);
    expect(server.stderr()).not.toMatch(/oidc-provider WARNING/);
  });

  test('discovery: the issuer, endpoints and only the client authentication methods a config can express', async () => {
    const metadata = (await basic()).serverMetadata();
    expect(metadata.issuer).toBe(server.issuer);
    const methods = ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'];
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(methods);
    expect(metadata.revocation_endpoint_auth_methods_supported).toEqual(methods);
    expect(metadata.introspection_endpoint_auth_methods_supported).toEqual(methods);
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).not.toContain('HS256');
    expect(metadata.end_session_endpoint).toBe(`${server.issuer}/session/end`);
    expect(metadata.userinfo_endpoint).toBeTruthy();
  });

  test('every advertised token endpoint auth method works: none, client_secret_basic, client_secret_post, private_key_jwt (JWKS and certificate)', async () => {
    const clients: Record<string, () => Promise<client.Configuration>> = {
      client_secret_basic: basic,
      client_secret_post: () => discover('post-service', client.ClientSecretPost(SERVICE_SECRET)),
      private_key_jwt: () => discover('jwks-service', client.PrivateKeyJwt(jwtClientKey.privateKey)),
    };
    const advertised = (await basic()).serverMetadata().token_endpoint_auth_methods_supported!;
    for (const method of advertised.filter((m) => m !== 'none')) {
      const tokens = await client.clientCredentialsGrant(await clients[method]!());
      expect((await verifyAtResource(tokens.access_token)).payload.aud, method).toBe(RESOURCE);
    }
    const byCertificate = await client.clientCredentialsGrant(await discover('cert-service', client.PrivateKeyJwt(certificateKey)));
    expect((await verifyAtResource(byCertificate.access_token)).payload.client_id).toBe('cert-service');

    // `none`: the public client at the device authorization endpoint (its code, refresh and revocation requests follow below).
    const device = await client.initiateDeviceAuthorization(await cli(), { scope: 'openid' });
    expect(device.user_code).toBeTruthy();
  });

  test('a private_key_jwt client whose assertion is signed by another key is invalid_client', async () => {
    const stranger = await jose.generateKeyPair('ES256', { extractable: true });
    await expect(client.clientCredentialsGrant(await discover('jwks-service', client.PrivateKeyJwt(stranger.privateKey)))).rejects.toMatchObject({
      error: 'invalid_client',
    });
  });

  test('RFC 6749 §5.2: a grant type the client may not use is unauthorized_client', async () => {
    await expect(client.refreshTokenGrant(await basic(), 'not-a-refresh-token')).rejects.toMatchObject({ error: 'unauthorized_client' });
    await expect(client.clientCredentialsGrant(await cli())).rejects.toMatchObject({ error: 'unauthorized_client' });
  });

  test('authorization code + PKCE in chromium, userinfo with the JWT access token, refresh with rotation', async () => {
    const { context } = await newContext(browser);
    try {
      const { config, tokens } = await codeLogin(await context.newPage());
      expect((await verifyAtResource(tokens.access_token)).payload.sub).toBe('demo');
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, 'demo');
      expect(userinfo).toMatchObject({ sub: 'demo', name: 'Demo User', email: 'demo@example.com' });

      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
      expect((await client.fetchUserInfo(config, refreshed.access_token, 'demo')).sub).toBe('demo');
      await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    } finally {
      await context.close();
    }
  });

  test('device flow in chromium: the token works at userinfo and verifies at the resource', async () => {
    const config = await cli();
    const device = await client.initiateDeviceAuthorization(config, { scope: 'openid profile' });
    const { context } = await newContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(device.verification_uri_complete!);
      await page.getByRole('button', { name: 'Approve' }).click();
      await signIn(page);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.getByRole('heading', { name: 'Device connected' }).waitFor();
      const tokens = await client.pollDeviceAuthorizationGrant(config, device);
      expect((await verifyAtResource(tokens.access_token)).payload.sub).toBe('demo');
      expect(await client.fetchUserInfo(config, tokens.access_token, 'demo')).toMatchObject({ sub: 'demo', name: 'Demo User' });
    } finally {
      await context.close();
    }
  });

  test('RFC 7662: a JWT access token introspects as active with its claims, and as inactive after revocation (RFC 7009)', async () => {
    const config = await basic();
    const { access_token } = await client.clientCredentialsGrant(config);
    const active = await client.tokenIntrospection(config, access_token);
    expect(active).toMatchObject({ active: true, client_id: 'basic-service', aud: RESOURCE, iss: server.issuer, token_type: 'Bearer' });
    expect(active.exp).toBe((await verifyAtResource(access_token)).payload.exp);

    await client.tokenRevocation(config, access_token);
    expect(await client.tokenIntrospection(config, access_token)).toEqual({ active: false });
  });

  test('RFC 7662: an expired JWT access token (a 1-second TTL client) introspects as inactive', async () => {
    const shortLived = await discover('short-lived', client.ClientSecretBasic(SERVICE_SECRET));
    const { access_token } = await client.clientCredentialsGrant(shortLived);
    const { exp } = jose.decodeJwt(access_token);
    expect(exp! - jose.decodeJwt(access_token).iat!).toBe(1);
    // Waits for the token's own expiry (1 s): the server has no injectable clock.
    await new Promise((resolve) => setTimeout(resolve, exp! * 1000 - Date.now() + 1000));
    expect(await client.tokenIntrospection(await basic(), access_token)).toEqual({ active: false });
  });

  test('a public client introspects and revokes its own refresh token with auth method none', async () => {
    const { context } = await newContext(browser);
    try {
      const { config, tokens } = await codeLogin(await context.newPage());
      expect(await client.tokenIntrospection(config, tokens.refresh_token!)).toMatchObject({ active: true, sub: 'demo', client_id: 'authctl' });
      await client.tokenRevocation(config, tokens.refresh_token!);
      expect(await client.tokenIntrospection(config, tokens.refresh_token!)).toEqual({ active: false });
    } finally {
      await context.close();
    }
  });

  test('RFC 7009 §2.1: revoking another client\'s token is refused, and the token stays active', async () => {
    const owner = await basic();
    const { access_token } = await client.clientCredentialsGrant(owner);
    const other = await discover('post-service', client.ClientSecretPost(SERVICE_SECRET));
    await expect(client.tokenRevocation(other, access_token)).rejects.toMatchObject({ status: 400, error: 'invalid_request' });
    expect((await client.tokenIntrospection(owner, access_token)).active).toBe(true);
  });

  test('a bare jti (what resource servers log) is not a token', async () => {
    const config = await basic();
    const { access_token } = await client.clientCredentialsGrant(config);
    const { jti } = jose.decodeJwt(access_token);
    expect(await client.tokenIntrospection(config, jti!)).toEqual({ active: false });
  });

  test('RP-initiated logout: the sign-out page ends the session and returns to the registered post-logout URI with state', async () => {
    const { context } = await newContext(browser);
    try {
      const page = await context.newPage();
      const { config, tokens } = await codeLogin(page);
      const url = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: signedOut.uri, state: 'after-logout' });
      await page.goto(url.href);
      await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
      await screenshot(page, 'logout-confirm');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Back at the application' }).waitFor();
      const back = signedOut.hits.at(-1)!;
      expect(back.pathname).toBe('/signed-out');
      expect(back.searchParams.get('state')).toBe('after-logout');

      // The session is gone: a new authorization request asks to sign in again.
      const again = client.buildAuthorizationUrl(config, {
        redirect_uri: 'http://127.0.0.1:1/callback',
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      await page.goto(again.href);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    } finally {
      await context.close();
    }
  });

  test('RP-initiated logout: an unregistered post-logout redirect URI is refused with an error page, not followed', async () => {
    const { context } = await newContext(browser);
    try {
      const page = await context.newPage();
      const { config, tokens } = await codeLogin(page);
      const hits = signedOut.hits.length;
      const url = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://127.0.0.1:1/elsewhere' });
      const response = await page.goto(url.href);
      expect(response?.status()).toBe(400);
      await expect(page.content()).resolves.toContain('post_logout_redirect_uri not registered');
      await screenshot(page, 'logout-unregistered');
      expect(signedOut.hits.length).toBe(hits);
    } finally {
      await context.close();
    }
  });

  test('RP-initiated logout without a redirect URI ends on the "Signed out" page', async () => {
    const { context } = await newContext(browser);
    try {
      const page = await context.newPage();
      const { config, tokens } = await codeLogin(page);
      await page.goto(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! }).href);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Signed out' }).waitFor();
      await screenshot(page, 'logout-done');
    } finally {
      await context.close();
    }
  });
});
