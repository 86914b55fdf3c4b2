import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clientSecretKey, tokenKey } from '@auth/core';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { filesContaining } from './flows/support/files-containing.js';
import { jsonEvents } from './flows/support/json-events.js';
import { printLiveToken } from './flows/support/live-token.js';
import { test } from './support/fixtures.js';
import { copyFixture, readFixture, useFileStore } from './support/sandbox-files.js';

const FIXTURE = 'kxi-cli-config';
const SECRETS = { serviceAccount: 'kxi-sa-secret-7c1d9e42', legacy: 'kxi-legacy-secret-0a8b', admin: 'kxi-admin-password-51f0' };

/**
 * kdb Insights serves Keycloak under `/auth`. No Keycloak runs here: this
 * real HTTP server publishes a realm's OpenID configuration at Keycloak's
 * path, pointing at the test IdP's token endpoint, and records what was asked.
 */
let realmHost: Server;
let realmOrigin: string;
const realmRequests: string[] = [];
let tokenEndpoint = '';
beforeAll(async () => {
  realmHost = createServer((req, res) => {
    realmRequests.push(req.url ?? '');
    if (req.url !== '/auth/realms/insights/.well-known/openid-configuration') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Realm does not exist"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({ issuer: `${realmOrigin}/auth/realms/insights`, token_endpoint: tokenEndpoint, grant_types_supported: ['client_credentials'] }),
    );
  });
  await new Promise<void>((resolve) => realmHost.listen(0, '127.0.0.1', resolve));
  realmOrigin = `http://127.0.0.1:${(realmHost.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => realmHost.close(() => resolve())));

describe('authctl profile import --from kxi', () => {
  test('each cli-config section becomes a keycloak profile: url = hostname under /auth, realm, client, service account, admin user', async ({ sandbox }) => {
    await useFileStore(sandbox);
    const result = await sandbox.run(['profile', 'import', '--from', 'kxi', await copyFixture(sandbox, FIXTURE)]);
    expect(result.code, result.stderr).toBe(0);

    expect(parse(await sandbox.readConfig())).toEqual({
      default_profile: 'default',
      store: { backend: 'file' },
      profiles: {
        default: {
          provider: 'keycloak',
          url: 'https://insights.example.com',
          base_path: '/auth',
          service_account: { client_id: 'test-publisher' },
          admin: { username: 'admin' },
        },
        canary: {
          provider: 'keycloak',
          url: 'https://canary.insights.example.com',
          base_path: '/auth',
          realm: 'research',
          client_id: 'research-app',
          service_account: { client_id: 'legacy-publisher' },
        },
      },
    });
    expect(result.stderr).toContain('Could not import kxi profile "licence-only": it has no hostname');
    expect(result.stderr).toContain('not imported: namespace (not a login setting)');
  });

  test('service-account secrets go to the credential store, never into config.toml; the admin password is stored nowhere', async ({ sandbox }) => {
    await useFileStore(sandbox);
    const file = await copyFixture(sandbox, FIXTURE);
    const result = await sandbox.run(['profile', 'import', '--from', 'kxi', file]);
    expect(result.code, result.stderr).toBe(0);

    const config = await sandbox.readConfig();
    for (const secret of Object.values(SECRETS)) {
      expect(config).not.toContain(secret);
      expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
    }
    const stored = async (profile: string) => JSON.parse(await readFile(sandbox.credentialFile(clientSecretKey(profile)), 'utf8'));
    expect(await stored('default')).toEqual({ kind: 'secret', value: SECRETS.serviceAccount });
    expect(await stored('canary')).toEqual({ kind: 'secret', value: SECRETS.legacy });
    expect(await filesContaining(sandbox.home, SECRETS.admin), 'only the kxi file itself').toEqual([file]);
    expect(result.stderr).toContain('not imported: admin.password (passwords are never stored');
  });

  test('--dry-run shows the profiles and writes nothing: no config.toml, no stored secret', async ({ sandbox }) => {
    const result = await sandbox.run(['profile', 'import', '--from', 'kxi', '--dry-run', await copyFixture(sandbox, FIXTURE)]);
    expect(result.code, result.stderr).toBe(0);
    expect(parse(result.stdout)).toMatchObject({ profiles: { default: { url: 'https://insights.example.com' }, canary: { realm: 'research' } } });
    expect(result.stdout).not.toContain(SECRETS.serviceAccount);
    expect(result.stderr).toContain('Would import kxi profile "default" as "default"');
    await expect(readFile(sandbox.configFile)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await sandbox.credentialFiles()).toEqual([]);
  });

  test('an existing profile is kept unless --overwrite, which also drops the stored login of the old one', async ({ sandbox }) => {
    await useFileStore(sandbox, '[profiles.default]\nprovider = "oidc"\nissuer = "https://idp.example.com"\nclient_id = "mine"\n');
    const file = await copyFixture(sandbox, FIXTURE);
    const kept = await sandbox.run(['profile', 'import', '--from', 'kxi', '--json', file]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(jsonEvents(kept.stdout)).toEqual(
      expect.arrayContaining([
        { event: 'profile_not_imported', profile: 'default', source: 'default', reason: 'exists' },
        expect.objectContaining({ event: 'profile_imported', profile: 'canary', client_secret_stored: true }),
      ]),
    );
    expect(parse(await sandbox.readConfig())).toMatchObject({ profiles: { default: { provider: 'oidc', client_id: 'mine' } } });

    await writeFile(sandbox.credentialFile(tokenKey('default')), 'stale login of the old profile', { mode: 0o600 });
    const replaced = await sandbox.run(['profile', 'import', '--from', 'kxi', '--overwrite', file]);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(parse(await sandbox.readConfig())).toMatchObject({ profiles: { default: { provider: 'keycloak', url: 'https://insights.example.com' } } });
    expect(await sandbox.credentialFiles()).not.toContain(`${encodeURIComponent(tokenKey('default'))}.json`);
  });

  test('--prefix names the profiles; without FILE it reads ~/.insights/cli-config', async ({ sandbox }) => {
    await useFileStore(sandbox);
    await mkdir(join(sandbox.home, '.insights'));
    await writeFile(join(sandbox.home, '.insights', 'cli-config'), await readFixture(FIXTURE));
    const result = await sandbox.run(['profile', 'import', '--from', 'kxi', '--prefix', 'kxi-'], { env: { HOME: sandbox.home } });
    expect(result.code, result.stderr).toBe(0);
    expect(parse(await sandbox.readConfig())).toMatchObject({ default_profile: 'kxi-default', profiles: { 'kxi-default': {}, 'kxi-canary': {} } });
  });

  test('a missing file: exit 2, the path, and how to name another', async ({ sandbox }) => {
    const missing = join(sandbox.home, 'nope');
    const result = await sandbox.run(['profile', 'import', '--from', 'kxi', missing]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`No kxi config file ${missing}`);
    expect(result.stderr).toContain('hint: name the file to read: authctl profile import --from kxi FILE');
  });

  test('a --from no installed provider imports: exit 2, naming the importers the providers declare', async ({ sandbox }) => {
    const result = await sandbox.run(['profile', 'import', '--from', 'kxii', join(sandbox.home, 'cli-config')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no installed provider imports profiles from "kxii"');
    expect(result.stderr).toContain('hint: use --from influxctl or --from kxi');
  });

  test('the imported service account logs in (client credentials via the Insights /auth realm) and print-token works', async ({ idp, sandbox }) => {
    tokenEndpoint = `${idp.issuer}/token`;
    await useFileStore(sandbox);
    // The fixture, pointed at the realm host and the test IdP's confidential client.
    const file = await copyFixture(sandbox, FIXTURE, (text) =>
      text
        .replace('https://insights.example.com', realmOrigin)
        .replace('test-publisher', idp.clients.confidential.id)
        .replace(SECRETS.serviceAccount, idp.clients.confidential.secret),
    );
    expect((await sandbox.run(['profile', 'import', '--from', 'kxi', file])).code).toBe(0);

    const login = await sandbox.run(['login', '--serviceaccount']);
    expect(login.code, login.stderr).toBe(0);
    expect(realmRequests).toContain('/auth/realms/insights/.well-known/openid-configuration');
    const { introspection } = await printLiveToken(idp, sandbox);
    expect(introspection.client_id).toBe(idp.clients.confidential.id);
  });
});
