import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRedis, type RedisServer } from '@auth/testkit';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEV_RESOURCE } from '../src/index.js';
import { hashSecret } from '../src/secrets/scrypt-hash.js';
import { run } from './support/binary.js';
import { MACHINE_SECRET, startCluster, type Cluster } from './support/cluster.js';
import { DEMO_PASSWORD, SERVICE_SECRET } from './support/credentials.js';
import { approveDeviceOverHttp, signInOverHttp } from './support/http-user.js';
import { authorizationRequest, cli, clientCredentialsToken, discover, exchangeCode, insecure, verifyAccessToken } from './support/oauth-client.js';

/**
 * Three auth-server processes on one real redis-server, behind a balancer
 * that sends each request to the next instance in turn: they must act as
 * one issuer (ARCHITECTURE.md, "Scale-out").
 */

let redis: RedisServer;
let cluster: Cluster;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  redis = await startRedis();
  cluster = await startCluster(redis.url, 3);
  as = await discover(cluster.issuer);
});

afterAll(async () => {
  await cluster?.close();
  await redis?.close();
});

async function signedInTokens() {
  const redirectUri = 'http://127.0.0.1:53682/callback'; // never fetched: the sign-in stops at the redirect
  const request = await authorizationRequest(as, redirectUri);
  const callback = await signInOverHttp(request.url.href, redirectUri, 'demo', DEMO_PASSWORD);
  return exchangeCode(as, request, callback);
}

async function refresh(refreshToken: string) {
  return oauth.processRefreshTokenResponse(as, cli, await oauth.refreshTokenGrantRequest(as, cli, oauth.None(), refreshToken, insecure));
}

const servedBy = () => [...cluster.balancer.served];

describe('several instances on one Redis act as one issuer', () => {
  test('an authorization-code login started on one instance completes on the others (each request to the next instance)', async () => {
    const before = servedBy();
    const tokens = await signedInTokens();
    const { payload } = await verifyAccessToken(as, tokens.access_token, DEV_RESOURCE);
    expect(payload.sub).toBe('demo');
    expect(payload.iss).toBe(cluster.issuer);
    // Authorization, sign-in, consent and token requests were spread over all three.
    servedBy().forEach((count, i) => expect(count).toBeGreaterThan(before[i]!));
  });

  test('RFC 8628: a device login started on one instance is approved on a second and redeemed on a third', async () => {
    cluster.balancer.pin(0);
    const device = await oauth.processDeviceAuthorizationResponse(as, cli, await oauth.deviceAuthorizationRequest(as, cli, oauth.None(), { scope: 'openid' }, insecure));

    cluster.balancer.pin(1);
    const page = await approveDeviceOverHttp(device.verification_uri_complete!, 'demo', DEMO_PASSWORD);
    expect(page.html).not.toContain('<form');

    cluster.balancer.pin(2);
    const before = servedBy();
    const tokens = await oauth.processDeviceCodeResponse(as, cli, await oauth.deviceCodeGrantRequest(as, cli, oauth.None(), device.device_code, insecure));
    cluster.balancer.pin(undefined);
    expect(servedBy()[2]).toBeGreaterThan(before[2]!);
    const { payload } = await verifyAccessToken(as, tokens.access_token, DEV_RESOURCE);
    expect(payload.sub).toBe('demo');
  });

  test('RFC 9700 §4.14.2: a refresh token rotated on one instance is refused when replayed on another, and the replay revokes the grant everywhere', async () => {
    const first = await signedInTokens();
    cluster.balancer.pin(0);
    const second = await refresh(first.refresh_token!);
    expect(second.refresh_token).not.toBe(first.refresh_token);

    cluster.balancer.pin(1);
    await expect(refresh(first.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // Reuse detection revoked the grant: the newest refresh token is dead on every instance too.
    cluster.balancer.pin(2);
    await expect(refresh(second.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    cluster.balancer.pin(undefined);
  });

  test('two instances redeeming one refresh token at the same moment: exactly one gets tokens', async () => {
    const tokens = await signedInTokens();
    const results = await Promise.allSettled([0, 1, 2].map(() => refresh(tokens.refresh_token!)));
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ error: 'invalid_grant' });
    }
  });

  test('a key rotation and a retirement (`auth-server keys rotate|retire --state`) are picked up by every instance without a restart', async () => {
    const rotated = await run(['keys', 'rotate', '--state', redis.url]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const kid = rotated.stdout.trim();
    await Promise.all(cluster.instances.map(({ binary }) => binary.stderrMatch(new RegExp(`"event":"keys.reloaded","signing_kid":"${kid}"`))));
    for (const { binary } of cluster.instances) expect(binary.stderr()).toContain(`"audit":"keys_changed","signing_kid":"${kid}"`);
    for (let i = 0; i < cluster.instances.length; i++) {
      cluster.balancer.pin(i);
      const tokens = await clientCredentialsToken(as);
      const { protectedHeader } = await verifyAccessToken(as, tokens.access_token, DEV_RESOURCE);
      expect(protectedHeader.kid).toBe(kid);
    }
    cluster.balancer.pin(undefined);

    // Retiring the previous key reaches every instance's JWKS as well.
    const listed = await run(['keys', 'list', '--state', redis.url]);
    const previous = /^(\S+)\tverify-only/m.exec(listed.stdout)![1]!;
    expect((await run(['keys', 'retire', previous, '--state', redis.url])).code).toBe(0);
    await Promise.all(cluster.instances.map(({ binary }) => binary.stderrMatch(/(?:"event":"keys\.reloaded"[\s\S]*){2}/)));
    for (let i = 0; i < cluster.instances.length; i++) {
      cluster.balancer.pin(i);
      const jwks = (await (await fetch(as.jwks_uri!)).json()) as { keys: Array<{ kid: string }> };
      expect(jwks.keys.map((key) => key.kid)).toEqual([kid]);
    }
    cluster.balancer.pin(undefined);
  });
});

const machineApi = async (path: string, body: Record<string, string>) => {
  const res = await fetch(`${cluster.issuer}/api/v1/auth/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('machine logins across instances', () => {
  test('a machine token revoked on one instance is refused renewal on another', async () => {
    cluster.balancer.pin(0);
    const login = await machineApi('universal-auth/login', { clientId: 'demo-machine', clientSecret: MACHINE_SECRET });
    expect(login.status).toBe(200);
    cluster.balancer.pin(1);
    expect((await machineApi('token/revoke', { accessToken: String(login.body.accessToken) })).status).toBe(200);
    cluster.balancer.pin(2);
    expect((await machineApi('token/renew', { accessToken: String(login.body.accessToken) })).status).toBe(401);
    cluster.balancer.pin(undefined);
  });
});

describe('lockouts hold on every instance', () => {
  let locking: Cluster;
  let lockingAs: oauth.AuthorizationServer;

  beforeAll(async () => {
    const config = join(cluster.instances[0]!.dataDir, 'locking.toml');
    await writeFile(
      config,
      [
        'data_dir = "unused"',
        '[redis]',
        'key_prefix = "locking:"',
        '[lockout]',
        'failures = 3',
        'first_lock_seconds = 600',
        'max_lock_seconds = 600',
        '[[clients]]',
        'client_id = "demo-service"',
        `secret_hash = "${await hashSecret(SERVICE_SECRET)}"`,
        'grants = ["client_credentials"]',
        '[[resources]]',
        `identifier = "${DEV_RESOURCE}"`,
        'default = true',
      ].join('\n'),
    );
    locking = await startCluster(redis.url, 2, { config });
    lockingAs = await discover(locking.issuer);
  });

  afterAll(async () => {
    await locking?.close();
  });

  test('a client locked by wrong secrets tried on one instance is refused its right secret on the other', async () => {
    locking.balancer.pin(0);
    for (let i = 0; i < 3; i++) {
      await expect(clientCredentialsToken(lockingAs, 'not-the-secret')).rejects.toMatchObject({ status: 401 });
    }
    locking.balancer.pin(1);
    await expect(clientCredentialsToken(lockingAs, SERVICE_SECRET)).rejects.toMatchObject({ status: 401 });
    await locking.instances[1]!.binary.stderrMatch(/"event":"client_auth\.locked","client_id":"demo-service"/);
    locking.balancer.pin(undefined);
  });
});
