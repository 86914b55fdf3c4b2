import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { tokenKey } from '@auth/core';
import { createTestCA, startKeycloakAdminDouble, type KeycloakAdminDouble } from '@auth/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import { test } from './support/fixtures.js';
import { useFileStore } from './support/sandbox-files.js';
import { usePrivateCaIdP } from './support/private-ca-idp.js';
import { configToml, idpProfile } from './support/profiles.js';
import { STACK_FRAME, type Sandbox } from './support/sandbox.js';

const privateCa = usePrivateCaIdP();
beforeEach(() => privateCa.idp.resetCounts());

/** The service account of the HTTPS IdP; its secret comes from AUTHCTL_CLIENT_SECRET. */
async function serviceAccountProfile(sandbox: Sandbox, extra: Record<string, unknown> = {}): Promise<void> {
  await useFileStore(sandbox, configToml({ dev: idpProfile(privateCa.idp.issuer, extra) }, 'dev'));
}

/** The machine's own extra CAs are replaced, so only what a test names is trusted beyond Node's roots. */
const env = (extra: NodeJS.ProcessEnv = {}) => ({ AUTHCTL_CLIENT_SECRET: privateCa.idp.clients.confidential.secret, NODE_EXTRA_CA_CERTS: '', ...extra });

async function storedAccessToken(sandbox: Sandbox): Promise<string> {
  return JSON.parse(await readFile(sandbox.credentialFile(tokenKey('dev')), 'utf8')).tokens.access_token;
}

describe('a private CA: per-profile ca_file and NODE_EXTRA_CA_CERTS', () => {
  test('without ca_file the HTTPS IdP is refused: exit 5, NETWORK naming the URL, a hint to set ca_file, no stack', async ({ sandbox }) => {
    await serviceAccountProfile(sandbox);
    const result = await sandbox.run(['login', '--serviceaccount'], { env: env() });
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`Cannot reach ${privateCa.idp.issuer}/.well-known/openid-configuration: its TLS certificate is not trusted`);
    expect(result.stderr).toMatch(/^hint: .*set ca_file = "\/path\/to\/ca\.pem" in \[profiles\.dev\] or NODE_EXTRA_CA_CERTS/m);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(privateCa.idp.grantCount('client_credentials')).toBe(0);
  });

  test('with ca_file naming the CA the service account logs in, print-token prints its token, logout revokes it', async ({ sandbox }) => {
    await serviceAccountProfile(sandbox, { ca_file: privateCa.caFile });
    const login = await sandbox.run(['login', '--serviceaccount'], { env: env() });
    expect(login.code, login.stderr).toBe(0);
    expect(privateCa.idp.grantCount('client_credentials')).toBe(1);

    const printed = await sandbox.run(['print-token'], { env: env() });
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toBe(`${await storedAccessToken(sandbox)}\n`);

    const logout = await sandbox.run(['logout', '--json'], { env: env() });
    expect(logout.code, logout.stderr).toBe(0);
    expect(JSON.parse(logout.stdout)).toEqual({
      event: 'logged_out',
      profile: 'dev',
      revoked: true,
      revoked_tokens: ['access_token'],
      unrevocable_tokens: [],
      deleted: true,
    });
  });

  test('NODE_EXTRA_CA_CERTS naming the CA works too, with no ca_file', async ({ sandbox }) => {
    await serviceAccountProfile(sandbox);
    const login = await sandbox.run(['login', '--serviceaccount'], { env: env({ NODE_EXTRA_CA_CERTS: privateCa.caFile }) });
    expect(login.code, login.stderr).toBe(0);
    const printed = await sandbox.run(['print-token'], { env: env({ NODE_EXTRA_CA_CERTS: privateCa.caFile }) });
    expect(printed.stdout).toBe(`${await storedAccessToken(sandbox)}\n`);
  });

  test('--verbose traces through the same fetch: ca_file still applies', async ({ sandbox }) => {
    await serviceAccountProfile(sandbox, { ca_file: privateCa.caFile });
    const login = await sandbox.run(['login', '--serviceaccount', '--verbose'], { env: env() });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toContain(`${privateCa.idp.issuer}/token`);
    expect(privateCa.idp.grantCount('client_credentials')).toBe(1);
  });

  test('a ca_file that does not exist: exit 2, CONFIG_INVALID naming the config file, profile, key and path', async ({ sandbox }) => {
    const missing = join(sandbox.home, 'no-such-ca.pem');
    await serviceAccountProfile(sandbox, { ca_file: missing });
    const result = await sandbox.run(['login', '--serviceaccount'], { env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${sandbox.configFile}: profiles.dev.ca_file names ${missing}, which does not exist`);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('provider admin commands (`authctl keycloak …`) go through the profile\'s network settings', () => {
  let keycloak: KeycloakAdminDouble;
  let caFile: string;
  beforeAll(async () => {
    const ca = await createTestCA();
    keycloak = await startKeycloakAdminDouble({ tls: { key: ca.key, cert: ca.cert } });
    caFile = join(await mkdtemp(join(tmpdir(), 'authctl-kc-ca-')), 'private-ca.pem');
    await writeFile(caFile, ca.ca);
  });
  afterAll(async () => {
    await keycloak?.close();
    if (caFile !== undefined) await rm(dirname(caFile), { recursive: true, force: true });
  });

  const adminProfile = (extra: Record<string, unknown> = {}) =>
    configToml({ kc: { provider: 'keycloak', url: keycloak.url, realm: keycloak.realm, admin: { username: keycloak.admin.username }, ...extra } }, 'kc');
  const adminEnv = () => ({ AUTHCTL_ADMIN_PASSWORD: keycloak.admin.password, NODE_EXTRA_CA_CERTS: '' });

  test('an admin command against a Keycloak behind a private CA is refused without ca_file (exit 5, hint to set ca_file) and succeeds with it', async ({ sandbox }) => {
    await sandbox.writeConfig(adminProfile());
    const refused = await sandbox.run(['keycloak', 'roles', 'list', '--json'], { env: adminEnv() });
    expect(refused.code, refused.stderr).toBe(5);
    expect(refused.stderr).toContain('its TLS certificate is not trusted');
    expect(refused.stderr).toMatch(/^hint: .*set ca_file = "\/path\/to\/ca\.pem" in \[profiles\.kc\]/m);
    expect(refused.stderr).not.toMatch(STACK_FRAME);
    expect(keycloak.adminRequests()).toEqual([]);

    await sandbox.writeConfig(adminProfile({ ca_file: caFile }));
    const listed = await sandbox.run(['keycloak', 'roles', 'list', '--json'], { env: adminEnv() });
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as Array<{ name: string }>).map((role) => role.name)).toContain('insights.query');
    expect(keycloak.adminRequests().map((request) => `${request.method} ${request.status}`)).toContain('GET 200');
  });
});
