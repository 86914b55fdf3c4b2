import { describe, expect } from 'vitest';
import { authError, test } from './support/admin-fixtures.js';

// Answers of Keycloak 26.7.3 that the double first got wrong, found by the tests against a real
// Keycloak (apps/cli/test/keycloak/); the double now gives the same status and text.
describe('the admin double answers as Keycloak 26.7.3 does', () => {
  test('a wrong admin password: 400 invalid_grant "Invalid user credentials" (not 401)', async ({ keycloak }) => {
    const response = await fetch(`${keycloak.base}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: keycloak.admin.username, password: 'wrong-password' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid user credentials' });
  });

  test('an empty password: 400 {"error":"Empty password not allowed"}', async ({ admin }) => {
    await admin.users.createUser('ivan');
    const error = await authError(admin.users.setPassword('ivan', ''));
    expect(error.details.status).toBe(400);
    expect(error.message).toContain('Empty password not allowed');
  });

  test('a blank clientId: 400 invalid_input "Client ID cannot be blank"', async ({ admin }) => {
    const error = await authError(admin.clients.registerNewClient(''));
    expect(error.details.status).toBe(400);
    expect(error.message).toContain('Client ID cannot be blank');
  });

  test('renaming a client to a taken clientId: 409 conflict "Duplicate resource error"', async ({ admin }) => {
    await admin.clients.registerNewClient('taken');
    const other = await admin.clients.registerNewClient('other');
    const error = await authError(admin.clients.updateClient(other, { config: { clientId: 'taken' } }));
    expect(error.details.status).toBe(409);
    expect(error.message).toContain('Duplicate resource error');
  });
});
