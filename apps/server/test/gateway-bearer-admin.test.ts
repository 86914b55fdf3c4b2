import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createTestCertificate, startEntraDouble, startTestIdP, type EntraDouble, type TestIdP } from '@auth/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, parseServerConfig, startAuthServer, type RunningAuthServer } from '../src/index.js';
import { startUpstream, type TestUpstream } from './support/gateway-server.js';

/**
 * InfluxDB Clustered's admin model through the whole gateway, with the
 * providers auth-server bundles (no injected ones): bearer JWTs from the
 * testkit IdP (oidc-provider) and from the Entra contract double, matched by
 * `sub` or, for `identityProvider = "azure"`, by `oid` against the route's
 * `users` list, as InfluxDB Clustered's AppInstance `spec.package.spec.admin` reads
 * (https://docs.influxdata.com/influxdb/clustered/install/auth/).
 */

const person = { firstName: 'Marty', lastName: 'McFly', email: 'mcfly@influxdata.com' };
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

describe('bearer admin through the gateway (InfluxDB Clustered admin users)', () => {
  let idp: TestIdP;
  let entra: EntraDouble;
  let dir: string;
  let upstream: TestUpstream;
  let server: RunningAuthServer;
  let gatewayUrl: string;
  const logs: string[] = [];

  beforeAll(async () => {
    idp = await startTestIdP();
    dir = await mkdtemp(join(tmpdir(), 'gateway-bearer-'));
    entra = await startEntraDouble({ certificate: (await createTestCertificate(dir)).certificate });
    upstream = await startUpstream();
    const file = '/etc/auth-server-gateway-bearer.toml';
    const config = parseServerConfig(
      {
        roles: ['gateway'],
        gateway: {
          listen: '127.0.0.1:0',
          metrics_listen: '127.0.0.1:0',
          upstream: upstream.url,
          routes: [
            {
              prefix: '/api/v0',
              provider: 'oidc',
              auth: { identityProvider: 'keycloak', jwksEndpoint: `${idp.issuer}/.well-known/openid-configuration`, users: [{ id: 'alice', ...person }], issuer: idp.issuer, audience: 'svc' },
            },
            {
              prefix: '/azure/api/v0',
              provider: 'oidc',
              auth: { identityProvider: 'azure', jwksEndpoint: `${entra.authorityHost}${entra.tenantId}/discovery/v2.0/keys`, users: [{ id: entra.user.oid, ...person }], audience: 'api://influxdb' },
            },
          ],
        },
      },
      file,
    );
    server = await startAuthServer({
      config,
      configFile: file,
      shutdownTimeoutMs: 2000,
      logger: createLogger({ level: 'info', destination: new Writable({ write: (chunk, _encoding, done) => (logs.push(String(chunk)), done()) }) }),
    });
    gatewayUrl = server.gateway!.url;
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
    await entra?.close();
    await idp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    upstream.requests.length = 0;
  });

  /** A real ID token from the testkit IdP (password grant, client svc): sub = the username, aud svc. */
  async function idpToken(username: string): Promise<string> {
    const json = await form(`${idp.issuer}/token`, { grant_type: 'password', username, password: `${username}-password`, scope: 'openid' }, { id: 'svc', secret: 'svc-secret' });
    return json.id_token!;
  }

  const get = (path: string, token?: string) => fetch(new URL(path, gatewayUrl), token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

  it('a listed user passes and the upstream never sees the token; an unlisted one gets 403; none or garbage 401', async () => {
    const alice = await idpToken('alice');
    const allowed = await get('/api/v0/databases', alice);
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toBe('upstream saw GET /api/v0/databases');
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.headers.authorization).toBeUndefined();

    const bob = await get('/api/v0/databases', await idpToken('bob'));
    expect(bob.status).toBe(403);
    expect(bob.headers.get('content-type')).toBe('application/json; charset=utf-8');

    const none = await get('/api/v0/databases');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    const garbage = await get('/api/v0/databases', 'not.a.jwt');
    expect(garbage.status).toBe(401);
    expect(garbage.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(upstream.requests).toHaveLength(1);
    expect(logs.join('')).toMatch(/"event":"gateway.denied".*"status":403/);
  });

  it('a token from one route\'s IdP is refused on another route', async () => {
    const alice = await idpToken('alice');
    expect((await get('/azure/api/v0/databases', alice)).status).toBe(401);
    expect(upstream.requests).toHaveLength(0);
  });

  it('Entra ("azure"): the user listed by object id passes after a device-flow login', async () => {
    const base = `${entra.authorityHost}${entra.tenantId}/oauth2/v2.0`;
    const { device_code, user_code } = await form(`${base}/devicecode`, { client_id: entra.clients.public, scope: 'api://influxdb/.default' });
    entra.approveDevice(user_code!);
    const token = (await form(`${base}/token`, { grant_type: DEVICE_GRANT, device_code: device_code!, client_id: entra.clients.public })).access_token!;
    const response = await get('/azure/api/v0/databases', token);
    expect(response.status).toBe(200);
    expect(upstream.requests.map((r) => r.url)).toEqual(['/azure/api/v0/databases']);
  });

  it('a scrape of /metrics shows the provider\'s own counters per route', async () => {
    const samples = await (await fetch(server.gateway!.metricsUrl!)).text();
    expect(samples).toMatch(/auth_server_gateway_bearer_requests_total\{[^}]*route="\/api\/v0"[^}]*\} \d+/);
  });
});

async function form(url: string, body: Record<string, string>, basic?: { id: string; secret: string }): Promise<Record<string, string>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(basic ? { authorization: `Basic ${Buffer.from(`${basic.id}:${basic.secret}`).toString('base64')}` } : {}) },
    body: new URLSearchParams(body),
  });
  const json = (await response.json()) as Record<string, string>;
  expect(response.status, JSON.stringify(json)).toBe(200);
  return json;
}
