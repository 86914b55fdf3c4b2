import { InfisicalSDK } from '@infisical/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BannerLines } from './support/banner-lines.js';
import { start, type RunningBinary } from './support/binary.js';
import { makeDataDir, removeDataDir } from './support/test-server.js';

/**
 * The client users have: Infisical's Node SDK (@infisical/sdk), pointed at
 * the built `auth-server --dev` by its site URL, logging in as demo-machine.
 */

const MACHINE_SECRET = 'dev-machine-secret-for-the-sdk-test';

let dataDir: string;
let server: RunningBinary;
beforeAll(async () => {
  dataDir = await makeDataDir();
  server = await start(['--dev', '--listen', '127.0.0.1:0', '--data-dir', dataDir], { env: { AUTH_SERVER_DEV_MACHINE_SECRET: MACHINE_SECRET } });
});
afterAll(async () => {
  await server?.stop();
  await removeDataDir(dataDir);
});

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('auth-server --dev and the Infisical SDK', () => {
  test('the banner names demo-machine and the authctl universal-auth line, beside every line it printed before', () => {
    const stderr = server.stderr();
    expect(stderr).toContain('demo-machine / (from AUTH_SERVER_DEV_MACHINE_SECRET)');
    expect(stderr).not.toContain(MACHINE_SECRET);
    const lines = BannerLines.parse(stderr);
    expect(lines.startingWith('login', '--method', 'universal-auth')).toEqual(['login', '--method', 'universal-auth', '--domain', server.issuer, '--client-id', 'demo-machine']);
    for (const earlier of [['configure', '--profile', 'dev'], ['login', '--flow', 'device'], ['configure', '--profile', 'dev-service'], ['print-token', '--profile', 'dev-service']]) {
      expect(lines.startingWith(...earlier)).toBeTruthy();
    }
  });

  test('@infisical/sdk universalAuth.login gets a token the issuer signed, and universalAuth.renew a new one', async () => {
    const sdk = new InfisicalSDK({ siteUrl: server.issuer });
    await sdk.auth().universalAuth.login({ clientId: 'demo-machine', clientSecret: MACHINE_SECRET });
    const token = sdk.auth().getAccessToken()!;
    expect(claims(token)).toMatchObject({ iss: server.issuer, sub: 'demo-machine', auth_method: 'universal-auth' });

    await sdk.auth().universalAuth.renew();
    const renewed = sdk.auth().getAccessToken()!;
    expect(renewed).not.toBe(token);
    expect(claims(renewed).sid).toBe(claims(token).sid);
  });

  test('@infisical/sdk reports a wrong secret with the status and the message of the error body', async () => {
    const sdk = new InfisicalSDK({ siteUrl: server.issuer });
    const error = await sdk
      .auth()
      .universalAuth.login({ clientId: 'demo-machine', clientSecret: 'wrong' })
      .then(
        () => undefined,
        (caught: unknown) => caught as Error,
      );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toContain('Invalid credentials');
    expect(error!.message).toContain('401');
  });

  test('a token the SDK got is revoked through /api/v1/auth/token/revoke (the SDK has no revoke), then renews no more', async () => {
    const sdk = new InfisicalSDK({ siteUrl: server.issuer });
    await sdk.auth().universalAuth.login({ clientId: 'demo-machine', clientSecret: MACHINE_SECRET });
    const accessToken = sdk.auth().getAccessToken()!;
    const revoke = await fetch(`${server.issuer}/api/v1/auth/token/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accessToken }),
    });
    expect(await revoke.json()).toEqual({ message: 'Successfully revoked access token' });
    await expect(sdk.auth().universalAuth.renew()).rejects.toThrow(/401/);
  });
});
