import { request as httpRequest } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEV_RESOURCE } from '../src/index.js';
import { start, type RunningBinary } from './support/binary.js';
import { signInOverHttp } from './support/http-user.js';
import { authorizationRequest, clientCredentialsToken, discover, exchangeCode, verifyAccessToken } from './support/oauth-client.js';
import { makeDataDir, removeDataDir } from './support/test-server.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await makeDataDir();
});
afterAll(async () => {
  await removeDataDir(dataDir);
});

const generated = (stderr: string, name: string) => new RegExp(`${name} / (\\S+)   \\(generated`).exec(stderr)?.[1];

async function canSignIn(issuer: string, password: string): Promise<boolean> {
  const as = await discover(issuer);
  const redirectUri = 'http://127.0.0.1:53682/callback';
  const request = await authorizationRequest(as, redirectUri);
  try {
    const tokens = await exchangeCode(as, request, await signInOverHttp(request.url.href, redirectUri, 'demo', password));
    return (await verifyAccessToken(as, tokens.access_token, DEV_RESOURCE)).payload.sub === 'demo';
  } catch {
    return false;
  }
}

describe('auth-server --dev', () => {
  test('prints `ready <issuer>` alone on stdout, and the generated secrets exactly once across two starts', async () => {
    const first = await start(['--dev', '--listen', '127.0.0.1:0', '--data-dir', dataDir]);
    let second: RunningBinary | undefined;
    try {
      expect(first.stdout()).toBe(`ready ${first.issuer}\n`);
      expect(first.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const password = generated(first.stderr(), 'demo');
      const secret = generated(first.stderr(), 'demo-service');
      expect(password).toBeTruthy();
      expect(secret).toBeTruthy();
      expect(first.stderr()).toContain(`authctl configure --profile dev --provider oidc --set issuer=${first.issuer} --client-id authctl`);
      expect(first.stderr()).toContain('authctl login --flow device');
      expect(await canSignIn(first.issuer, password!)).toBe(true);
      expect((await clientCredentialsToken(await discover(first.issuer), secret)).access_token).toBeTruthy();
      expect(await first.stop()).toBe(0);

      const config = await readFile(join(dataDir, 'config.toml'), 'utf8');
      expect(config).not.toContain(password);
      expect(config).not.toContain(secret);

      second = await start(['--dev', '--listen', '127.0.0.1:0', '--data-dir', dataDir]);
      expect(second.stdout()).toBe(`ready ${second.issuer}\n`);
      expect(second.stderr()).toContain('unchanged');
      const everything = first.stdout() + first.stderr() + second.stdout() + second.stderr();
      expect(everything.split(password!).length - 1).toBe(1);
      expect(everything.split(secret!).length - 1).toBe(1);
      // The same credentials still work after the restart.
      expect(await canSignIn(second.issuer, password!)).toBe(true);
      expect((await clientCredentialsToken(await discover(second.issuer), secret)).access_token).toBeTruthy();
    } finally {
      first.child.kill();
      second?.child.kill();
    }
  });

  test('credentials from AUTH_SERVER_DEV_PASSWORD and AUTH_SERVER_DEV_CLIENT_SECRET are used and never printed', async () => {
    const dir = await makeDataDir();
    const env = { AUTH_SERVER_DEV_PASSWORD: 'chosen-dev-password-123', AUTH_SERVER_DEV_CLIENT_SECRET: 'chosen-dev-client-secret-456' };
    const server = await start(['--dev', '--listen', '127.0.0.1:0', '--data-dir', dir], { env });
    try {
      expect(await canSignIn(server.issuer, env.AUTH_SERVER_DEV_PASSWORD)).toBe(true);
      expect(await canSignIn(server.issuer, 'some-other-password')).toBe(false);
      expect((await clientCredentialsToken(await discover(server.issuer), env.AUTH_SERVER_DEV_CLIENT_SECRET)).access_token).toBeTruthy();
      expect(server.stderr()).toContain('(from AUTH_SERVER_DEV_PASSWORD)');
      expect(server.stdout() + server.stderr()).not.toContain(env.AUTH_SERVER_DEV_PASSWORD);
      expect(server.stdout() + server.stderr()).not.toContain(env.AUTH_SERVER_DEV_CLIENT_SECRET);
    } finally {
      expect(await server.stop()).toBe(0);
      await removeDataDir(dir);
    }
  });

  test('SIGTERM stops accepting connections, finishes the request in flight, and exits 0', async () => {
    const dir = await makeDataDir();
    const secret = 'shutdown-test-client-secret';
    const server = await start(['--dev', '--listen', '127.0.0.1:0', '--data-dir', dir], { env: { AUTH_SERVER_DEV_CLIENT_SECRET: secret } });
    try {
      const { hostname, port } = new URL(server.issuer);
      const body = 'grant_type=client_credentials';
      const req = httpRequest({
        host: hostname,
        port,
        method: 'POST',
        path: '/token',
        agent: false,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': body.length,
          authorization: `Basic ${Buffer.from(`demo-service:${secret}`).toString('base64')}`,
        },
      });
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        req.on('error', reject);
        req.on('response', (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        });
      });
      req.write(body.slice(0, 10));
      // Once a later request has been answered, the first one's headers are being handled.
      expect((await fetch(`${server.issuer}/healthz`)).status).toBe(200);
      server.child.kill('SIGTERM');

      let refused = false;
      for (let i = 0; i < 100 && !refused; i++) {
        refused = await fetch(`${server.issuer}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
          () => false,
          () => true,
        );
        if (!refused) await new Promise((r) => setTimeout(r, 50));
      }
      expect(refused).toBe(true);

      req.end(body.slice(10));
      const answer = await response;
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).access_token).toBeTruthy();
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill();
      await removeDataDir(dir);
    }
  });
});
