import { AuthError } from '@auth/core';
import { startKeycloakAdminDouble, type KeycloakAdminDouble } from '@auth/testkit';
import { test as base } from 'vitest';
import { keycloakAdmin, type KeycloakAdmin } from '../../src/index.js';

/** A fresh Keycloak admin double per test, and a `keycloakAdmin` for its realm logged in as its administrator. */
export const test = base.extend<{ keycloak: KeycloakAdminDouble; admin: KeycloakAdmin }>({
  keycloak: async ({}, use) => {
    const double = await startKeycloakAdminDouble();
    await use(double);
    await double.close();
  },
  admin: async ({ keycloak }, use) => {
    await use(keycloakAdmin({ url: keycloak.url, credentials: { username: keycloak.admin.username, password: keycloak.admin.password } }));
  },
});

/** The AuthError a promise rejects with (fails the test if it resolves or throws something else). */
export async function authError(promise: Promise<unknown>): Promise<AuthError> {
  try {
    await promise;
  } catch (error) {
    if (AuthError.is(error)) return error;
    throw error;
  }
  throw new Error('expected an AuthError, but the call succeeded');
}

/** RFC 6749 §4.4 at the realm's token endpoint: the access token, or the HTTP status it was refused with. */
export async function clientCredentials(keycloak: KeycloakAdminDouble, clientId: string, secret: string): Promise<{ status: number; accessToken?: string; expiresIn?: number }> {
  const response = await fetch(`${keycloak.base}/realms/${keycloak.realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
    body: 'grant_type=client_credentials',
  });
  const body = (await response.json()) as { access_token?: string; expires_in?: number };
  return { status: response.status, accessToken: body.access_token, expiresIn: body.expires_in };
}
