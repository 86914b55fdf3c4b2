import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startKubernetesApiDouble, type KubernetesApiDouble } from '@auth/testkit';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { addClientSecret } from '../src/index.js';
import { AuthctlHome } from './support/authctl.js';
import { start, type RunningBinary } from './support/binary.js';
import { startMachineServer, testClock, type MachineServer } from './support/machine-server.js';
import { makeDataDir, removeDataDir } from './support/test-server.js';

/**
 * Issue 10 end to end: the built `authctl login --method …` against auth-server's
 * machine-identity login API — universal-auth against `auth-server --dev`, a
 * cloud method (Kubernetes, its API a contract double) against a configured
 * server — and `print-token` renewing, then logging in again silently.
 */

const MACHINE_SECRET = 'demo-machine-secret-for-tests';
const AUDIENCE = 'https://auth.example.com';

let home: AuthctlHome;
beforeEach(async () => {
  home = await AuthctlHome.create();
});
afterEach(async () => {
  await home.remove();
});

/** The machine token's identity, verified as a resource server would: against the issuer's published JWKS. */
async function verifiedSubject(issuer: string, token: string): Promise<string | undefined> {
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${issuer}/jwks`)), { issuer });
  return payload.sub;
}

describe('against `auth-server --dev`', () => {
  let dataDir: string;
  let server: RunningBinary;
  let issuer: string;

  beforeAll(async () => {
    dataDir = await makeDataDir();
    server = await start(['--dev', '--listen', '127.0.0.1:0', '--data-dir', dataDir], { env: { AUTH_SERVER_DEV_MACHINE_SECRET: MACHINE_SECRET } });
    await vi.waitFor(() => expect(server.stdout()).toMatch(/^ready /m));
    issuer = /^ready (\S+)$/m.exec(server.stdout())![1]!;
  });
  afterAll(async () => {
    if (server) expect(await server.stop()).toBe(0);
    if (dataDir) await removeDataDir(dataDir);
  });

  test('login --method universal-auth --plain --silent prints exactly one line: a JWT that verifies against the server\'s JWKS', async () => {
    const login = await home.run(['login', '--method', 'universal-auth', '--domain', issuer, '--client-id', 'demo-machine', '--plain', '--silent'], {
      env: { INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET: MACHINE_SECRET },
    });

    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toBe('');
    expect(login.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(await verifiedSubject(issuer, login.stdout.trimEnd())).toBe('demo-machine');
    // The banner names the same command.
    expect(server.stderr()).toContain(`authctl login --method universal-auth --domain ${issuer} --client-id demo-machine`);

    const printed = await home.run(['print-token']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toBe(login.stdout);
  });

  test('a wrong client secret exits 4 with the server\'s message, and stores nothing', async () => {
    const login = await home.run(['login', '--method', 'universal-auth', '--domain', issuer, '--client-id', 'demo-machine', '--client-secret-stdin'], {
      input: 'not-the-secret\n',
    });
    expect(login.code).toBe(4);
    expect(login.stderr).toContain('Invalid credentials');
    expect((await home.run(['status'])).code).toBe(3);
  });
});

describe('a cloud method and renewal against a configured auth-server', () => {
  let kubernetes: KubernetesApiDouble;
  let reviewerJwt: string;
  const servers: MachineServer[] = [];

  beforeAll(async () => {
    kubernetes = await startKubernetesApiDouble();
    reviewerJwt = await kubernetes.projectedToken(kubernetes.createServiceAccount('kube-system', 'auth-reviewer', { reviewer: true }), { lifetimeSeconds: 3600 });
  });
  afterAll(() => kubernetes.close());
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      await server.close();
      await removeDataDir(server.dataDir);
    }
  });

  const serve = async (now?: () => number) => {
    const server = await startMachineServer(
      {
        identities: [
          {
            id: 'ci-pods',
            methods: { 'kubernetes-auth': { kubernetes_host: kubernetes.url, token_reviewer_jwt: reviewerJwt, allowed_namespaces: ['ci'], allowed_audience: AUDIENCE } },
          },
          { id: 'ci-runner', access_token_ttl: 600, access_token_max_ttl: 1200, methods: { 'universal-auth': {} } },
        ],
      },
      now === undefined ? {} : { now },
    );
    servers.push(server);
    return server;
  };

  test('login --method kubernetes with the projected token file prints one line, a JWT for the bound identity', async () => {
    const server = await serve();
    const tokenFile = join(home.home, 'sa-token');
    await writeFile(tokenFile, await kubernetes.projectedToken(kubernetes.createServiceAccount('ci', 'runner'), { audiences: [AUDIENCE] }));

    const login = await home.run(
      ['login', '--method', 'kubernetes', '--machine-identity-id', 'ci-pods', '--service-account-token-path', tokenFile, '--domain', server.issuer, '--plain', '--silent'],
    );

    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toBe('');
    expect(login.stdout.split('\n')).toHaveLength(2);
    expect(await verifiedSubject(server.issuer, login.stdout.trimEnd())).toBe('ci-pods');
  });

  test('print-token renews inside the refresh window, then logs in again silently once the server refuses renewal (max TTL)', async () => {
    const clock = testClock();
    const server = await serve(clock.now);
    const { secret } = await addClientSecret(server.dataDir, 'ci-runner');
    const login = await home.run(['login', '--method', 'universal-auth', '--domain', server.issuer, '--client-id', 'ci-runner', '--client-secret-stdin', '--plain', '--silent'], {
      input: `${secret}\n`,
    });
    expect(login.code, login.stderr).toBe(0);
    const first = login.stdout;

    // authctl reads the real clock: dating its stored token 30 s from expiry puts it in the refresh window.
    await redateStoredToken(home, 30);
    const renewed = await home.run(['print-token']);
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(renewed.stdout).not.toBe(first);
    expect(await verifiedSubject(server.issuer, renewed.stdout.trimEnd())).toBe('ci-runner');
    // A renewal, not a new login: the same session (sid) and auth_time.
    const session = (token: string) => {
      const { sid, auth_time } = decodeJwt(token);
      return { sid, auth_time };
    };
    expect(session(renewed.stdout.trimEnd())).toEqual(session(first.trimEnd()));

    // Past the max TTL on the server's clock, it refuses to renew: print-token logs in again with the stored secret.
    clock.advance(1300);
    await redateStoredToken(home, 30);
    const again = await home.run(['print-token']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
    expect(again.stdout).not.toBe(renewed.stdout);
    const { payload } = await jwtVerify(again.stdout.trimEnd(), createRemoteJWKSet(new URL(`${server.issuer}/jwks`)), {
      issuer: server.issuer,
      currentDate: new Date(clock.now()),
    });
    expect(payload.sub).toBe('ci-runner');
    // A fresh login: a new session, starting now on the server's clock.
    expect(payload.auth_time).toBe(Math.floor(clock.now() / 1000));
    expect(payload.sid).not.toBe(session(first.trimEnd()).sid);
  });
});

/** Rewrites the active stored login so its token has `secondsLeft` left on the real clock (authctl's own). */
async function redateStoredToken(home: AuthctlHome, secondsLeft: number): Promise<void> {
  const dir = join(home.home, 'state', 'credentials');
  const file = (await readdir(dir)).find((name) => name.endsWith('.json') && !name.includes('%23'));
  if (file === undefined) throw new Error(`no stored login in ${dir}`);
  const credential = JSON.parse(await readFile(join(dir, file), 'utf8')) as { tokens: { expires_at: number; issued_at?: number } };
  const now = Math.floor(Date.now() / 1000);
  const lifetime = credential.tokens.issued_at === undefined ? 600 : credential.tokens.expires_at - credential.tokens.issued_at;
  credential.tokens.expires_at = now + secondsLeft;
  credential.tokens.issued_at = now + secondsLeft - lifetime;
  await writeFile(join(dir, file), JSON.stringify(credential), { mode: 0o600 });
}
