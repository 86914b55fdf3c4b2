import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startInfluxd, type Influxd } from '@auth/testkit';
import { stringify } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, parseServerConfig, startAuthServer, type RunningAuthServer } from '../src/index.js';
import { AuthctlHome } from './support/authctl.js';

/**
 * The whole path with real components: users managed by the built authctl in
 * a real InfluxDB 1.6 (Debian's influxd), the gateway (with the bundled
 * `kapacitor` provider, InfluxDB 1.x API model, OSS directory) in front of
 * that same influxd's `/query`, presenting each admitted user to it as a
 * shared-secret JWT. The gateway's clock is injected, so its user cache
 * expires without waiting.
 */

const MINUTE = 60_000;

describe('the gateway in front of a real InfluxDB 1.6, its users managed by authctl', () => {
  let influxd: Influxd;
  let authctl: AuthctlHome;
  let server: RunningAuthServer;
  let gatewayUrl: string;
  const clock = { now: Date.now() };
  const logs: string[] = [];

  beforeAll(async () => {
    influxd = await startInfluxd();
    const admin = { authorization: basic(influxd.admin.username, influxd.admin.password) };
    for (const q of ['CREATE DATABASE metrics', 'CREATE DATABASE other']) {
      expect((await fetch(`${influxd.url}/query`, { method: 'POST', headers: admin, body: new URLSearchParams({ q }) })).status).toBe(200);
    }
    const write = await fetch(`${influxd.url}/write?db=metrics`, { method: 'POST', headers: admin, body: 'cpu,host=a value=1.5' });
    expect(write.status).toBe(204);

    authctl = await AuthctlHome.create();
    await writeFile(
      join(authctl.home, 'config.toml'),
      stringify({ default_profile: 'influx', profiles: { influx: { provider: 'influx-meta', url: influxd.url, mode: 'oss', admin: { username: influxd.admin.username } } } }),
      { mode: 0o600 },
    );

    const file = '/etc/auth-server-gateway-influxdb.toml';
    const config = parseServerConfig(
      {
        roles: ['gateway'],
        gateway: {
          listen: '127.0.0.1:0',
          upstream: influxd.url,
          routes: [
            { prefix: '/ping', public: true },
            {
              prefix: '/',
              provider: 'kapacitor',
              auth: {
                api: 'influxdb',
                'upstream-credentials': 'shared-secret-jwt',
                auth: { directory: 'oss', 'meta-addr': new URL(influxd.url).host, 'meta-username': influxd.admin.username },
              },
            },
          ],
        },
      },
      file,
    );
    server = await startAuthServer({
      config,
      configFile: file,
      now: () => clock.now,
      shutdownTimeoutMs: 2000,
      logger: createLogger({ level: 'info', destination: new Writable({ write: (chunk, _encoding, done) => (logs.push(String(chunk)), done()) }) }),
      // Secrets from the environment, as an operator would pass them: the admin password reads users and grants,
      // influxd's shared secret signs the JWT each admitted request carries upstream.
      env: { KAPACITOR_AUTH_META_PASSWORD: influxd.admin.password, KAPACITOR_GATEWAY_UPSTREAM_SHARED_SECRET: influxd.sharedSecret },
    });
    gatewayUrl = server.gateway!.url;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await authctl?.remove();
    await influxd?.stop();
  });

  async function admin(args: string[], input = ''): Promise<void> {
    const result = await authctl.run(['influx-meta', ...args], { input, env: { AUTHCTL_ADMIN_PASSWORD: influxd.admin.password } });
    expect(result, `authctl influx-meta ${args.join(' ')}: ${result.stderr}`).toMatchObject({ code: 0 });
  }

  async function select(user: string, password: string, db = 'metrics') {
    const url = new URL('/query', gatewayUrl);
    url.search = new URLSearchParams({ db, q: 'SELECT value FROM cpu' }).toString();
    const response = await fetch(url, { headers: { authorization: basic(user, password) } });
    return { status: response.status, headers: response.headers, body: await response.text() };
  }

  it('create, grant: the query reaches influxd as that user; revoke: 403 once the cache expires; a changed password fails on the very next request', async () => {
    await admin(['users', 'create', 'bob', '--password-stdin'], 'bob-pw-1\n');
    await admin(['users', 'grant', 'bob', 'ReadData', '--database', 'metrics']);

    const allowed = await select('bob', 'bob-pw-1');
    expect(allowed.status).toBe(200);
    expect(JSON.parse(allowed.body)).toMatchObject({ results: [{ series: [{ name: 'cpu', columns: ['time', 'value'], values: [[expect.any(String), 1.5]] }] }] });
    // InfluxDB's own headers came through: the answer is influxd's.
    expect(allowed.headers.get('x-influxdb-version')).toMatch(/^1\.6/);

    // A database bob has no grant on: refused by the gateway, in InfluxDB's words.
    const other = await select('bob', 'bob-pw-1', 'other');
    expect(other.status).toBe(403);
    expect(JSON.parse(other.body)).toEqual({ error: 'error authorizing query: bob not authorized to execute statements on other, requires READ on other' });

    await admin(['users', 'revoke', 'bob', 'ReadData', '--database', 'metrics']);
    clock.now += 10 * MINUTE + 1000; // past cache-expiration (10m): the gateway reads bob's grants again
    const revoked = await select('bob', 'bob-pw-1');
    expect(revoked.status).toBe(403);
    expect(JSON.parse(revoked.body)).toEqual({ error: 'error authorizing query: bob not authorized to execute statements on metrics, requires READ on metrics' });
    expect(logs.join('')).toMatch(/"event":"gateway.denied".*"reason":"bob/);

    await admin(['users', 'grant', 'bob', 'ReadData', '--database', 'metrics']);
    clock.now += 10 * MINUTE + 1000;
    expect((await select('bob', 'bob-pw-1')).status).toBe(200);

    await admin(['users', 'set-password', 'bob', '--password-stdin'], 'bob-pw-2\n');
    const stale = await select('bob', 'bob-pw-1');
    expect(stale.status).toBe(401);
    expect(JSON.parse(stale.body)).toEqual({ error: 'authorization failed' });
    expect(stale.headers.get('www-authenticate')).toBe('Basic realm="InfluxDB"');
    expect((await select('bob', 'bob-pw-2')).status).toBe(200);

    await admin(['users', 'delete', 'bob']);
    expect((await select('bob', 'bob-pw-2')).status).toBe(401);
    // No secret in the server's log.
    for (const secret of [influxd.admin.password, influxd.sharedSecret, 'bob-pw-1', 'bob-pw-2']) expect(logs.join('')).not.toContain(secret);
  });

  it('u and p in the query authenticate as InfluxDB 1.6 reads them (before the header); a wrong p is refused', async () => {
    await admin(['users', 'create', 'carol', '--password-stdin'], 'carol-pw\n');
    await admin(['users', 'grant', 'carol', 'ReadData', '--database', 'metrics']);
    const url = new URL('/query', gatewayUrl);
    url.search = new URLSearchParams({ db: 'metrics', q: 'SELECT value FROM cpu', u: 'carol', p: 'carol-pw' }).toString();
    const response = await fetch(url);
    expect(response.status).toBe(200);
    url.searchParams.set('p', 'wrong');
    const refused = await fetch(url, { headers: { authorization: basic('carol', 'carol-pw') } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: 'authorization failed' });
    await admin(['users', 'delete', 'carol']);
  });

  it('path tricks and malformed credentials are refused with a 4xx before influxd is asked', async () => {
    for (const target of ['//query?db=metrics', '/query/../query?db=metrics', '/%2e%2e/query']) {
      const response = await rawStatus(gatewayUrl, target, { authorization: basic(influxd.admin.username, influxd.admin.password) });
      expect(response, target).toBeGreaterThanOrEqual(400);
      expect(response, target).toBeLessThan(500);
    }
    for (const authorization of ['Basic !!!not-base64', 'Basic ', 'Bearer', 'Bearer a.b', 'Digest x']) {
      const response = await fetch(new URL('/query?db=metrics&q=SHOW%20DATABASES', gatewayUrl), { headers: { authorization } });
      expect(response.status, authorization).toBe(401);
    }
    expect((await fetch(new URL('/ping', gatewayUrl))).status).toBe(204);
  });
});

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A request whose target is sent exactly as written (fetch would normalise it). */
async function rawStatus(base: string, target: string, headers: Record<string, string>): Promise<number> {
  const { request } = await import('node:http');
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: target, headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
