import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as jose from 'jose';
import * as oauth from 'oauth4webapi';
import { afterEach, describe, expect, test } from 'vitest';
import { DEV_RESOURCE, listSigningKeys, retireSigningKey } from '../src/index.js';
import { run } from './support/binary.js';
import { signInOverHttp } from './support/http-user.js';
import { authorizationRequest, cli, clientCredentialsToken, discover, exchangeCode, insecure, verifyAccessToken } from './support/oauth-client.js';
import { DEMO_PASSWORD, makeDataDir, removeDataDir, startTestServer, type TestServer } from './support/test-server.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function serve(dataDir: string, port = 0): Promise<{ server: TestServer; as: oauth.AuthorizationServer }> {
  const server = await startTestServer({ dataDir, port });
  let stopped = false;
  const stop = server.stop;
  server.stop = async () => {
    if (!stopped) await stop();
    stopped = true;
  };
  cleanup.push(() => server.stop());
  return { server, as: await discover(server.issuer) };
}

async function freshDataDir(): Promise<string> {
  const dir = await makeDataDir();
  cleanup.push(() => removeDataDir(dir));
  return dir;
}

const kidOf = (token: string) => jose.decodeProtectedHeader(token).kid;

describe('keys and state in the data dir', () => {
  test('keys, config and issuer state are 0600 files in a 0700 folder', async () => {
    const dir = await freshDataDir();
    const { server, as } = await serve(dir);
    const redirectUri = 'http://127.0.0.1:53682/callback';
    const request = await authorizationRequest(as, redirectUri);
    await exchangeCode(as, request, await signInOverHttp(request.url.href, redirectUri, 'demo', DEMO_PASSWORD));
    await server.stop();

    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const file of ['keys.json', 'config.toml', 'issuer-state.json']) {
      expect((await stat(join(dir, file))).mode & 0o777).toBe(0o600);
    }
  });

  test('after a restart on the same data dir, a token issued before still verifies and a refresh token still refreshes', async () => {
    const dir = await freshDataDir();
    const first = await serve(dir);
    const before = await clientCredentialsToken(first.as);
    const redirectUri = 'http://127.0.0.1:53682/callback';
    const request = await authorizationRequest(first.as, redirectUri);
    const user = await exchangeCode(first.as, request, await signInOverHttp(request.url.href, redirectUri, 'demo', DEMO_PASSWORD));
    await first.server.stop();

    const second = await serve(dir, first.server.port);
    expect(second.server.issuer).toBe(first.server.issuer);
    await expect(verifyAccessToken(second.as, before.access_token, DEV_RESOURCE)).resolves.toBeTruthy();
    const refreshed = await oauth.processRefreshTokenResponse(
      second.as,
      cli,
      await oauth.refreshTokenGrantRequest(second.as, cli, oauth.None(), user.refresh_token!, insecure),
    );
    expect((await verifyAccessToken(second.as, refreshed.access_token, DEV_RESOURCE)).payload.sub).toBe('demo');
  });

  test('`auth-server keys rotate`: old tokens still verify, new ones carry the new kid; `keys retire` removes the old key', async () => {
    const dir = await freshDataDir();
    const first = await serve(dir);
    const old = await clientCredentialsToken(first.as);
    const oldKid = kidOf(old.access_token);
    await first.server.stop();

    const rotate = await run(['keys', 'rotate', '--data-dir', dir]);
    expect(rotate.code).toBe(0);
    const newKid = rotate.stdout.trim();
    expect(newKid).not.toBe(oldKid);
    expect(await listSigningKeys(dir)).toMatchObject([{ kid: newKid, active: true }, { kid: oldKid, active: false }]);

    const second = await serve(dir, first.server.port);
    const jwks = (await (await fetch(second.as.jwks_uri!)).json()) as { keys: Array<{ kid: string; d?: string }> };
    expect(jwks.keys.map((key) => key.kid)).toEqual([newKid, oldKid]);
    expect(jwks.keys.every((key) => key.d === undefined)).toBe(true);
    await expect(verifyAccessToken(second.as, old.access_token, DEV_RESOURCE)).resolves.toBeTruthy();
    const fresh = await clientCredentialsToken(second.as);
    expect(kidOf(fresh.access_token)).toBe(newKid);
    await second.server.stop();

    const refused = await run(['keys', 'retire', newKid!, '--data-dir', dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is the active signing key');
    const retire = await run(['keys', 'retire', oldKid!, '--data-dir', dir]);
    expect(retire.code, retire.stderr).toBe(0);

    const third = await serve(dir, first.server.port);
    await expect(verifyAccessToken(third.as, old.access_token, DEV_RESOURCE)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    await expect(verifyAccessToken(third.as, fresh.access_token, DEV_RESOURCE)).resolves.toBeTruthy();
  });

  test('retiring a kid that does not exist names it', async () => {
    const dir = await freshDataDir();
    const { server } = await serve(dir);
    await server.stop();
    await expect(retireSigningKey(dir, 'no-such-kid')).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('no-such-kid') });
  });
});
