import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { CODE_PAGE_PATH } from '../src/index.js';
import { AuthctlHome } from './support/authctl.js';
import { BannerLines } from './support/banner-lines.js';
import { start, type RunningBinary } from './support/binary.js';
import { DEMO_PASSWORD, SERVICE_SECRET } from './support/credentials.js';
import { signInOverHttp } from './support/http-user.js';
import { makeDataDir, removeDataDir } from './support/test-server.js';

/**
 * `authctl logout` against the built `auth-server --dev` says exactly what the
 * IdP revoked, in one line. auth-server revokes its RFC 9068 JWT access tokens
 * too (they then introspect as inactive); an IdP answering
 * `unsupported_token_type` for them instead is covered by core's logout tests
 * (RFC 7009 §2.2.1: an answer, not a failed logout).
 */

let dataDir: string;
let server: RunningBinary;
let banner: BannerLines;
let home: AuthctlHome;

beforeAll(async () => {
  dataDir = await makeDataDir();
  server = await start(['--dev', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    env: { AUTH_SERVER_DEV_PASSWORD: DEMO_PASSWORD, AUTH_SERVER_DEV_CLIENT_SECRET: SERVICE_SECRET },
  });
  await vi.waitFor(() => expect(server.stderr()).toContain('print-token --profile dev-service'));
  banner = BannerLines.parse(server.stderr());
});

afterAll(async () => {
  if (server) expect(await server.stop()).toBe(0);
  if (dataDir) await removeDataDir(dataDir);
});

beforeEach(async () => {
  home = await AuthctlHome.create();
});

afterEach(async () => {
  await home.remove();
});

/** The banner's `configure` and `login --flow code` lines; demo signs in over HTTP and the redirected URL is pasted. */
async function logInByCode(): Promise<void> {
  const configured = await home.run(banner.startingWith('configure', '--profile', 'dev'));
  expect(configured.code, configured.stderr).toBe(0);
  const login = home.start([...banner.exactly('login', '--flow', 'code'), '--json']);
  const open = await login.nextEvent();
  const redirected = await signInOverHttp(String(open.url), `${server.issuer}${CODE_PAGE_PATH}`, 'demo', DEMO_PASSWORD);
  login.write(`${redirected.href}\n`);
  const result = await login.done;
  expect(result.code, result.stderr).toBe(0);
}

/** RFC 7662 introspection by the dev server's confidential client. */
async function introspect(token: string): Promise<Record<string, unknown>> {
  const discovery = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) })).json()) as {
    introspection_endpoint: string;
  };
  const response = await fetch(discovery.introspection_endpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`demo-service:${SERVICE_SECRET}`).toString('base64')}` },
    body: new URLSearchParams({ token }),
    signal: AbortSignal.timeout(10_000),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe('authctl logout against the built `auth-server --dev`', () => {
  test('RFC 7009: the refresh and the JWT access token are revoked (the access token then introspects as inactive); one line, exit 0', async () => {
    await logInByCode();
    const accessToken = (await home.run(['print-token'])).stdout.trim();
    expect(await introspect(accessToken)).toMatchObject({ active: true });

    const logout = await home.run(['logout']);

    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toBe('Logged out of profile "dev": refresh and access tokens revoked at the IdP; stored tokens deleted\n');
    expect(await introspect(accessToken)).toEqual({ active: false });
    const status = JSON.parse((await home.run(['status', '--json'])).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ profile: 'dev', logged_in: false });
  });

  test('--json: revoked is true, and the event names the revoked tokens and none left unrevoked', async () => {
    await logInByCode();

    const logout = await home.run(['logout', '--json']);

    expect(logout.code, logout.stderr).toBe(0);
    expect(JSON.parse(logout.stdout)).toEqual({
      event: 'logged_out',
      profile: 'dev',
      revoked: true,
      revoked_tokens: ['refresh_token', 'access_token'],
      unrevocable_tokens: [],
      deleted: true,
    });
  });
});
