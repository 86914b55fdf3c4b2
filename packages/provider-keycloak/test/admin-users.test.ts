import { describe, expect } from 'vitest';
import { authError, test } from './support/admin-fixtures.js';

// kxi's `user` command: https://code.kx.com/insights/1.10/enterprise/security/managing-service-accounts.html; the paths: Keycloak Admin REST API (https://www.keycloak.org/docs-api/latest/rest-api/index.html).
describe("users, as kxi's `user` command manages them, on the Keycloak Admin REST API", () => {
  test('create with email and a temporary password: 201 with Location, then reset-password 204', async ({ keycloak, admin }) => {
    const user = await admin.users.createUser('carol', { email: 'carol@example.com', password: 'carol-pass-1', temporary: true });
    const stored = keycloak.model.userByName('carol')!;
    expect(user).toEqual({ id: stored.id, username: 'carol', email: 'carol@example.com', enabled: true });
    expect(stored.password).toEqual({ value: 'carol-pass-1', temporary: true });
    expect(keycloak.adminRequests().map((r) => `${r.method} ${r.status}`)).toEqual(['POST 201', 'PUT 204']);
  });

  test('a taken username is Keycloak\'s 409 "User exists with same username"', async ({ admin }) => {
    await admin.users.createUser('dave');
    const error = await authError(admin.users.createUser('dave'));
    expect(error.details.status).toBe(409);
    expect(error.message).toContain('User exists with same username');
  });

  test('find is exact; list shows realm users but not service accounts', async ({ admin }) => {
    await admin.users.createUser('erin');
    await admin.users.createUser('erin2');
    await admin.clients.registerNewClient('robot');
    expect((await admin.users.findUser('erin'))?.username).toBe('erin');
    expect(await admin.users.findUser('eri')).toBeUndefined();
    expect((await admin.users.listUsers()).map((u) => u.username).sort()).toEqual(['erin', 'erin2']);
  });

  test('set-password, permanent or temporary', async ({ keycloak, admin }) => {
    await admin.users.createUser('frank');
    await admin.users.setPassword('frank', 'frank-pass-1');
    expect(keycloak.model.userByName('frank')?.password).toEqual({ value: 'frank-pass-1', temporary: false });
    await admin.users.setPassword('frank', 'frank-pass-2', { temporary: true });
    expect(keycloak.model.userByName('frank')?.password).toEqual({ value: 'frank-pass-2', temporary: true });
  });

  test('assign and unassign realm roles, each posted with id and name, only when it changes something', async ({ keycloak, admin }) => {
    await admin.users.createUser('grace');
    expect(await admin.users.assignRoles('grace', ['insights.query', 'insights.admin'])).toEqual(['insights.query', 'insights.admin']);
    expect(await admin.users.assignRoles('grace', ['insights.query'])).toEqual([]);
    expect(keycloak.rolesOf('grace')).toEqual(['default-roles-insights', 'insights.admin', 'insights.query']);
    expect(await admin.users.unassignRoles('grace', ['insights.admin', 'insights.schema.get'])).toEqual(['insights.admin']);
    expect(await admin.users.userRoles('grace')).toEqual(['default-roles-insights', 'insights.query']);
    const mappingCalls = keycloak.adminRequests().filter((r) => r.path.endsWith('/role-mappings/realm') && r.method !== 'GET');
    expect(mappingCalls.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 204', 'DELETE 204']);
  });

  test("a service account's roles are managed as the user service-account-<clientId>", async ({ keycloak, admin }) => {
    await admin.clients.registerClient('pipeline', { roles: null });
    await admin.users.assignRoles('service-account-pipeline', ['insights.schema.get']);
    expect(keycloak.rolesOf('service-account-pipeline')).toContain('insights.schema.get');
  });

  test('delete answers 204; an unknown user names the realm', async ({ keycloak, admin }) => {
    await admin.users.createUser('heidi');
    await admin.users.deleteUser('heidi');
    expect(keycloak.model.userByName('heidi')).toBeUndefined();
    const error = await authError(admin.users.deleteUser('heidi'));
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('No user "heidi" in realm insights');
  });
});
