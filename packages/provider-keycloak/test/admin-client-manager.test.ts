import { startBlackhole, startKeycloakAdminDouble } from '@auth/testkit';
import { describe, expect } from 'vitest';
import { keycloakAdmin } from '../src/index.js';
import { authError, clientCredentials, test } from './support/admin-fixtures.js';

const roleMappingPosts = (requests: Array<{ method: string; path: string }>) =>
  requests.filter((r) => r.method === 'POST' && r.path.endsWith('/role-mappings/realm')).length;

// kdb Insights' ClientManager: https://code.kx.com/insights/1.19/api/python/reference/authorization/client.html
// The Keycloak Admin REST API (https://www.keycloak.org/docs-api/latest/rest-api/index.html); Keycloak's ErrorResponse and OAuth2ErrorRepresentation (https://github.com/keycloak/keycloak/blob/main/services/src/main/java/org/keycloak/services/ErrorResponse.java, https://github.com/keycloak/keycloak/issues/25696).
describe('kdb Insights ClientManager on the Keycloak Admin REST API', () => {
  test('register_client twice with one id: one client, the second secret, roles assigned once', async ({ keycloak, admin }) => {
    const first = await admin.clients.registerClient('ingest', { clientSecret: 'first-secret-1', roles: ['insights.query'] });
    const second = await admin.clients.registerClient('ingest', { clientSecret: 'second-secret-2', roles: ['insights.query'] });

    expect(second.uuid).toBe(first.uuid);
    expect(await admin.clients.listClients({ clientId: 'ingest' })).toEqual([{ host: keycloak.url, id: 'ingest', uuid: first.uuid, secret: 'second-secret-2' }]);
    expect(roleMappingPosts(keycloak.adminRequests()), 'the second registration posts no role mapping').toBe(1);
    expect(keycloak.rolesOf('service-account-ingest')).toEqual(['default-roles-insights', 'insights.query']);
    expect((await clientCredentials(keycloak, 'ingest', 'first-secret-1')).status).toBe(401);
    expect((await clientCredentials(keycloak, 'ingest', 'second-secret-2')).status).toBe(200);
  });

  test('register_client with roles "all" gives the service account every realm role', async ({ keycloak, admin }) => {
    await admin.clients.registerClient('everything', { roles: 'all' });
    const realmRoles = (await admin.clients.allRoles()).map((r) => r.name).sort();
    expect(realmRoles).toContain('insights.admin');
    expect(keycloak.rolesOf('service-account-everything')).toEqual(realmRoles);
  });

  test('register_client defaults to roles "all", as ClientManager does', async ({ keycloak, admin }) => {
    await admin.clients.registerClient('default-roles');
    expect(keycloak.rolesOf('service-account-default-roles')).toEqual([...keycloak.model.roles.keys()].sort());
  });

  test('register_client with roles null assigns none', async ({ keycloak, admin }) => {
    await admin.clients.registerClient('no-roles', { roles: null });
    expect(roleMappingPosts(keycloak.adminRequests())).toBe(0);
    expect(keycloak.rolesOf('service-account-no-roles')).toEqual(['default-roles-insights']);
  });

  test('token_lifespan becomes the access.token.lifespan attribute, and the realm issues tokens that long', async ({ keycloak, admin }) => {
    const client = await admin.clients.registerClient('short-lived', { tokenLifespan: 120, roles: null });
    expect(keycloak.model.clientByClientId('short-lived')?.attributes['access.token.lifespan']).toBe('120');
    expect((await clientCredentials(keycloak, 'short-lived', client.secret!)).expiresIn).toBe(120);
    await admin.clients.updateClient(client, { tokenLifespan: 600 });
    expect(keycloak.model.clientByClientId('short-lived')?.attributes['access.token.lifespan']).toBe('600');
  });

  test('register_new_client creates a confidential service-account client: 201 with Location, then the generated secret', async ({ keycloak, admin }) => {
    const client = await admin.clients.registerNewClient('fresh');
    const created = keycloak.model.clientByClientId('fresh')!;
    expect(client).toEqual({ host: keycloak.url, id: 'fresh', uuid: created.id, secret: created.secret });
    expect(created).toMatchObject({ publicClient: false, serviceAccountsEnabled: true, standardFlowEnabled: false });
    expect(keycloak.adminRequests().find((r) => r.method === 'POST' && r.path.endsWith('/clients'))?.status).toBe(201);
  });

  test('register_new_client on a taken clientId fails with Keycloak\'s 409 "Client … already exists"', async ({ admin }) => {
    await admin.clients.registerNewClient('taken');
    const error = await authError(admin.clients.registerNewClient('taken'));
    expect(error.details.status).toBe(409);
    expect(error.message).toContain('Client taken already exists');
    expect(error.hint).toContain('clients update taken');
  });

  test('update_client keeps the secret unless given one, and answers 204', async ({ keycloak, admin }) => {
    const client = await admin.clients.registerNewClient('keeper', { clientSecret: 'kept-secret-1' });
    const updated = await admin.clients.updateClient(client, { tokenLifespan: 30 });
    expect(updated.secret).toBeUndefined();
    expect((await admin.clients.getClient('keeper')).secret).toBe('kept-secret-1');
    await admin.clients.updateClient(client, { secret: 'new-secret-2' });
    expect((await admin.clients.getClient('keeper')).secret).toBe('new-secret-2');
    expect(keycloak.adminRequests().filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([204, 204]);
  });

  test('get_client with and without its secret; an unknown clientId names the realm', async ({ admin }) => {
    const client = await admin.clients.registerNewClient('shown');
    expect(await admin.clients.getClient('shown', { withSecret: false })).toEqual({ host: client.host, id: 'shown', uuid: client.uuid });
    expect((await admin.clients.getClient('shown')).secret).toBe(client.secret);
    const error = await authError(admin.clients.getClient('missing'));
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('No client "missing" in realm insights');
  });

  test('list_clients: all clients, or the one with an exact clientId', async ({ admin }) => {
    await admin.clients.registerNewClient('alpha');
    await admin.clients.registerNewClient('alpha-two');
    expect((await admin.clients.listClients({ withSecret: false })).map((c) => c.id).sort()).toEqual(['alpha', 'alpha-two']);
    expect((await admin.clients.listClients({ clientId: 'alpha' })).map((c) => c.id)).toEqual(['alpha']);
    expect((await admin.clients.listClients({ clientId: 'alpha' }))[0]?.secret).toBeTruthy();
  });

  test('delete_client_by_uuid answers 204; a second delete is the 404 "Could not find client"', async ({ keycloak, admin }) => {
    const client = await admin.clients.registerNewClient('doomed');
    await admin.clients.deleteClientByUuid(client.uuid);
    expect(keycloak.model.clientByClientId('doomed')).toBeUndefined();
    expect(keycloak.model.userByName('service-account-doomed')).toBeUndefined();
    const error = await authError(admin.clients.deleteClientByUuid(client.uuid));
    expect(error.details.status).toBe(404);
    expect(error.message).toContain('Could not find client');
  });

  test('assign_roles on a client without service accounts: Keycloak\'s 400 from service-account-user', async ({ admin }) => {
    const client = await admin.clients.registerNewClient('no-sa', { config: { serviceAccountsEnabled: false } });
    const error = await authError(admin.clients.assignRoles(client, ['insights.query']));
    expect(error.details.status).toBe(400);
    expect(error.message).toContain("Service account not enabled for the client 'no-sa'");
  });

  test('assign_roles with an unknown role lists the realm roles and assigns nothing', async ({ keycloak, admin }) => {
    const client = await admin.clients.registerNewClient('typo');
    const error = await authError(admin.clients.assignRoles(client, ['insights.query', 'insights.qurey']));
    expect(error.message).toContain('"insights.qurey"');
    expect(error.hint).toContain('insights.query');
    expect(keycloak.rolesOf('service-account-typo')).toEqual(['default-roles-insights']);
  });
});

describe('admin login, as keycloak-admin-client does it: password grant to master with admin-cli', () => {
  test('the whole run logs the administrator in once, with admin-cli at the master realm', async ({ keycloak, admin }) => {
    await admin.clients.registerClient('once');
    await admin.clients.listClients();
    const logins = keycloak.requests.filter((r) => r.path.endsWith('/protocol/openid-connect/token'));
    expect(logins.map((r) => r.path)).toEqual(['/realms/master/protocol/openid-connect/token']);
  });

  test('a wrong admin password is INVALID_CREDENTIALS, and the message never holds the password', async ({ keycloak }) => {
    const admin = keycloakAdmin({ url: keycloak.url, username: 'admin', password: 'not-the-password', profile: 'ops' });
    const error = await authError(admin.clients.listClients());
    expect(error.code).toBe('INVALID_CREDENTIALS');
    expect(error.hint).toContain('[profiles.ops.admin]');
    expect(`${error.message} ${error.hint}`).not.toContain('not-the-password');
  });

  test('Keycloak admin errors: the admin API answers 401 {"error":"HTTP 401 Unauthorized"} to a bearer the master realm did not sign', async ({ keycloak, admin }) => {
    const client = await admin.clients.registerClient('outsider', { roles: 'all' });
    const { accessToken } = await clientCredentials(keycloak, 'outsider', client.secret!);
    const response = await fetch(`${keycloak.base}/admin/realms/${keycloak.realm}/clients`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'HTTP 401 Unauthorized' });
  });

  test('admin realm and client are configurable, and a legacy /auth base path works', async () => {
    const legacy = await startKeycloakAdminDouble({ basePath: '/auth', realm: 'data' });
    try {
      const admin = keycloakAdmin({ url: legacy.url, base_path: '/auth', realm: 'data', username: 'admin', password: legacy.admin.password, adminRealm: 'master', adminClientId: 'admin-cli' });
      await admin.clients.registerClient('legacy', { roles: null });
      expect(legacy.model.clientByClientId('legacy')).toBeDefined();
      const elsewhere = keycloakAdmin({ url: legacy.url, base_path: '/auth', realm: 'data', username: 'admin', password: legacy.admin.password, adminClientId: 'not-admin-cli' });
      expect((await authError(elsewhere.clients.listClients())).code).toBe('INVALID_CLIENT');
    } finally {
      await legacy.close();
    }
  });

  test('a server that never answers is TIMEOUT within the configured timeout', async () => {
    const hole = await startBlackhole();
    try {
      const admin = keycloakAdmin({ url: hole.url, username: 'admin', password: 'x', timeoutMs: 300 });
      expect((await authError(admin.clients.listClients())).code).toBe('TIMEOUT');
    } finally {
      await hole.close();
    }
  });
});
