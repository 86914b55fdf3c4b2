import { Writable } from 'node:stream';
import { createInsightsRealm, type InsightsRealm } from '@auth/provider-keycloak/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger, parseServerConfig, startAuthServer, type RunningAuthServer } from '../../src/index.js';
import { startUpstream, type TestUpstream } from '../support/gateway-server.js';

/**
 * InfluxDB Clustered admin authentication (https://docs.influxdata.com/influxdb/clustered/install/auth/) with a real Keycloak: the gateway's route lists a realm user's id
 * (`users[].id`, "must match the user ID provided by Keycloak") and reads the
 * realm's keys from `/realms/R/protocol/openid-connect/certs`, as an
 * AppInstance's `spec.package.spec.admin` does.
 */
describe('the gateway admits the Keycloak user id its users list names, and no other', () => {
  let realm: InsightsRealm;
  let upstream: TestUpstream;
  let server: RunningAuthServer;

  beforeAll(async () => {
    realm = await createInsightsRealm(inject('keycloak'), 'insights-gateway');
    upstream = await startUpstream();
    const file = '/etc/auth-server-gateway-keycloak.toml';
    const config = parseServerConfig(
      {
        roles: ['gateway'],
        gateway: {
          listen: '127.0.0.1:0',
          upstream: upstream.url,
          routes: [
            {
              prefix: '/api/v0',
              provider: 'oidc',
              auth: {
                identityProvider: 'keycloak',
                jwksEndpoint: realm.endpoints.certs,
                users: [{ id: realm.users.alice.id, firstName: 'Alice', lastName: 'Example', email: 'alice@example.test' }],
                issuer: realm.issuer,
              },
            },
          ],
        },
      },
      file,
    );
    server = await startAuthServer({ config, configFile: file, shutdownTimeoutMs: 2000, logger: createLogger({ level: 'warn', destination: new Writable({ write: (_c, _e, done) => done() }) }) });
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
    await realm?.delete();
  });

  const get = (token: string) => fetch(new URL('/api/v0/databases', server.gateway!.url), { headers: { authorization: `Bearer ${token}` } });

  it('alice (listed by her Keycloak id) passes, bob gets 403, and the upstream sees only alice', async () => {
    const alice = await realm.userToken('alice');
    expect(alice.userId).toBe(realm.users.alice.id);
    const allowed = await get(alice.accessToken);
    expect(allowed.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.headers.authorization).toBeUndefined();

    const bob = await realm.userToken('bob');
    const refused = await get(bob.accessToken);
    expect(refused.status).toBe(403);
    expect(upstream.requests).toHaveLength(1);
  });
});
