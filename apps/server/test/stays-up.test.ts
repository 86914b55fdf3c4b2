import { mkdir, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { start, type RunningBinary } from './support/binary.js';
import { formOf, HttpUser } from './support/http-user.js';
import { fileAppears, rssMiB, stderrMatches } from './support/process-watch.js';
import { clientCredentialsToken, discover } from './support/oauth-client.js';
import { makeDataDir, removeDataDir, SERVICE_SECRET } from './support/test-server.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function serve(logLevel = 'info'): Promise<{ server: RunningBinary; dataDir: string }> {
  const dataDir = await makeDataDir();
  cleanup.push(() => removeDataDir(dataDir));
  const server = await start(['--dev', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--log-level', logLevel], {
    env: { AUTH_SERVER_DEV_CLIENT_SECRET: SERVICE_SECRET },
  });
  cleanup.push(() => server.stop());
  return { server, dataDir };
}

const get = (url: string) => fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });

const authorizationUrl = (issuer: string, state: string) =>
  `${issuer}/auth?${new URLSearchParams({
    client_id: 'authctl',
    response_type: 'code',
    redirect_uri: 'http://127.0.0.1:1/callback',
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state,
  })}`;

const deviceAuthorization = (issuer: string) =>
  fetch(`${issuer}/device/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: 'client_id=authctl&scope=openid',
    signal: AbortSignal.timeout(10_000),
  });

describe('a flood of unauthenticated authorization requests', () => {
  test('20,000 GET /auth keep RSS under 300 MiB and the state file small, and /healthz answers throughout', async () => {
    const { server, dataDir } = await serve('warn');
    const pid = server.child.pid!;
    const requests = 20_000;
    const before = rssMiB(pid);
    let sent = 0;
    let peak = before;
    const statuses = new Map<number, number>();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (sent < requests) {
          const n = ++sent;
          const res = await get(authorizationUrl(server.issuer, `s${n}`));
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (n % 1000 === 0) {
            peak = Math.max(peak, rssMiB(pid));
            expect((await get(`${server.issuer}/healthz`)).status).toBe(200);
          }
        }
      }),
    );
    const after = rssMiB(pid);
    console.log(`RSS before ${before.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB, after ${after.toFixed(0)} MiB (${requests} requests)`);

    expect(Object.fromEntries(statuses)).toEqual({ 303: requests });
    expect(Math.max(peak, after)).toBeLessThan(300);
    // Interactions live in memory only: nothing about the flood is written.
    const stateFile = await stat(join(dataDir, 'issuer-state.json')).catch(() => undefined);
    expect(stateFile?.size ?? 0).toBeLessThan(64 * 1024);
    expect((await get(`${server.issuer}/healthz`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
  }, 240_000);
});

describe('a state file that cannot be written', () => {
  test('is logged once with its path, answers 503 where state must be saved, keeps serving the rest, and recovers', async () => {
    const { server, dataDir } = await serve();
    const stateFile = join(dataDir, 'issuer-state.json');
    expect((await deviceAuthorization(server.issuer)).status).toBe(200);
    await fileAppears(stateFile);

    await rm(stateFile);
    await mkdir(stateFile);
    // The next change to saved state is accepted; writing it fails, and from then on changes are refused.
    expect((await deviceAuthorization(server.issuer)).status).toBe(200);
    await stderrMatches(server.child, server.stderr, /"event":"state\.write_failed"/);

    const refused = await deviceAuthorization(server.issuer);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect((await get(`${server.issuer}/healthz`)).status).toBe(200);
    expect((await get(`${server.issuer}/.well-known/openid-configuration`)).status).toBe(200);
    expect((await get(`${server.issuer}/jwks`)).status).toBe(200);
    expect((await get(authorizationUrl(server.issuer, 'during-outage'))).status).toBe(303);
    // A JWT access token is not stored, so client credentials keep working.
    expect((await clientCredentialsToken(await discover(server.issuer))).access_token).toBeTruthy();

    await rmdir(stateFile);
    await stderrMatches(server.child, server.stderr, /"event":"state\.write_recovered"/);
    expect((await deviceAuthorization(server.issuer)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();

    const failures = server.stderr().split('\n').filter((line) => line.includes('"event":"state.write_failed"'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain(stateFile);
    expect(failures[0]).toContain('EISDIR');
    expect(server.stderr()).not.toMatch(/\n\s+at /);
    expect(server.stderr()).not.toContain('"stack"');
  }, 60_000);
});

describe('device pages without a session cookie', () => {
  test('POST /device with a stale form answers the 403 "form expired" page with a fresh form that works', async () => {
    const { server } = await serve();
    const user = new HttpUser();
    const res = await user.request(`${server.issuer}/device`, { form: { xsrf: 'stale-form-token', user_code: 'BCDF-GHJK' } });
    expect(res.status).toBe(403);
    const page = { url: `${server.issuer}/device`, status: res.status, html: await res.text(), headers: res.headers };
    expect(page.html).toContain('This form expired');

    const fresh = formOf(page);
    const retried = await user.request(fresh.action, { form: { xsrf: fresh.fields.xsrf!, user_code: 'BCDF-GHJK' } });
    expect(retried.status).toBe(200);
    expect(await retried.text()).toContain('That code is not valid');
  });

  test('GET /device/confirm answers the same 403 "form expired" page', async () => {
    const { server } = await serve();
    const res = await new HttpUser().request(`${server.issuer}/device/confirm`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('This form expired');
  });
});
