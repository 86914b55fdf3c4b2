import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { start, type RunningBinary } from './support/binary.js';
import { startWithConfig, type ConfigServer } from './support/config-server.js';
import { fetchFrom } from './support/from-address.js';

/** Requests to the built server that name a host of the test's choosing. */
const http = fetchFrom('127.0.0.1');
const DISCOVERY = '/.well-known/openid-configuration';

async function metadata(res: Response): Promise<Record<string, unknown>> {
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/** Every URL in a discovery document. */
function urlsOf(document: Record<string, unknown>): string[] {
  return Object.entries(document).flatMap(([key, value]) => (key.endsWith('_endpoint') || key.endsWith('_uri') ? [String(value)] : []));
}

describe('auth-server --dev (no proxy)', () => {
  let dir: string;
  let server: RunningBinary;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'auth-server-host-'));
    server = await start(['--dev', '--listen', '127.0.0.1:0', '--data-dir', dir]);
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a forged Host is refused with 421 Misdirected Request on discovery, /device and the device authorization endpoint', async () => {
    const forged = { host: 'evil.example' };
    const discovery = await http(`${server.issuer}${DISCOVERY}`, { headers: { ...forged, accept: 'application/json' } });
    expect(discovery.status).toBe(421);
    expect(await discovery.text()).not.toContain('evil.example');
    expect((await http(`${server.issuer}/device`, { headers: forged })).status).toBe(421);
    const deviceAuthorization = await http(`${server.issuer}/device/auth`, {
      method: 'POST',
      headers: forged,
      body: new URLSearchParams({ client_id: 'authctl' }),
    });
    expect(deviceAuthorization.status).toBe(421);
  });

  test('with the real Host every endpoint is the configured issuer\'s, and X-Forwarded-Host is ignored without trust_proxy', async () => {
    for (const headers of [{}, { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' }] as Record<string, string>[]) {
      const document = await metadata(await http(`${server.issuer}${DISCOVERY}`, { headers }));
      expect(document.issuer).toBe(server.issuer);
      expect(urlsOf(document).length).toBeGreaterThan(5);
      for (const url of urlsOf(document)) expect(url.startsWith(`${server.issuer}/`), url).toBe(true);
    }
  });

  test('RFC 8628 §3.2: the device flow\'s verification_uri is on the configured issuer', async () => {
    const res = await http(`${server.issuer}/device/auth`, {
      method: 'POST',
      headers: { 'x-forwarded-host': 'evil.example' },
      body: new URLSearchParams({ client_id: 'authctl' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { verification_uri: string; verification_uri_complete: string };
    expect(body.verification_uri).toBe(`${server.issuer}/device`);
    expect(body.verification_uri_complete.startsWith(`${server.issuer}/device?user_code=`)).toBe(true);
  });

  test('discovery may be cached for 5 minutes and the JWKS for 1 minute', async () => {
    const discovery = await http(`${server.issuer}${DISCOVERY}`);
    expect(discovery.headers.get('cache-control')).toBe('public, max-age=300');
    const { jwks_uri } = await metadata(discovery);
    const jwks = await http(String(jwks_uri));
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get('cache-control')).toBe('public, max-age=60');
  });
});

describe('behind a trusted proxy (issuer https://auth.example.com, trust_proxy, trusted_hosts)', () => {
  const ISSUER = 'https://auth.example.com';
  let server: ConfigServer;
  let base: string;
  beforeAll(async () => {
    server = await startWithConfig({
      issuer: ISSUER,
      trust_proxy: true,
      trusted_hosts: ['auth-upstream:8080'],
      clients: [{ client_id: 'authctl', grants: ['device_code'] }],
    });
    base = `http://${server.address}`;
  });
  afterAll(async () => {
    await server?.remove();
  });

  test('X-Forwarded-Host naming the issuer works, and the endpoints are the issuer\'s', async () => {
    const document = await metadata(await http(`${base}${DISCOVERY}`, { headers: { 'x-forwarded-host': 'auth.example.com', 'x-forwarded-proto': 'https' } }));
    expect(document.issuer).toBe(ISSUER);
    for (const url of urlsOf(document)) expect(url.startsWith(`${ISSUER}/`), url).toBe(true);
  });

  test('a host listed in trusted_hosts is accepted, and still given the issuer\'s URLs', async () => {
    const document = await metadata(await http(`${base}${DISCOVERY}`, { headers: { host: 'auth-upstream:8080' } }));
    for (const url of urlsOf(document)) expect(url.startsWith(`${ISSUER}/`), url).toBe(true);
  });

  test('any other forwarded host, or the instance\'s own address, is refused with 421; /healthz answers any host', async () => {
    expect((await http(`${base}${DISCOVERY}`, { headers: { 'x-forwarded-host': 'evil.example' } })).status).toBe(421);
    expect((await http(`${base}/device`, { headers: { 'x-forwarded-host': 'evil.example' } })).status).toBe(421);
    expect((await http(`${base}${DISCOVERY}`)).status).toBe(421);
    expect((await http(`${base}/healthz`)).status).toBe(200);
  });
});
