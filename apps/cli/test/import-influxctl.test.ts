import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clientSecretKey } from '@auth/core';
import { parse } from 'smol-toml';
import { describe, expect } from 'vitest';
import { expectLoginEvents, parseEvent } from './flows/support/json-events.js';
import { printLiveToken } from './flows/support/live-token.js';
import { test } from './support/fixtures.js';
import { copyFixture, readFixture, useFileStore } from './support/sandbox-files.js';
import { STACK_FRAME } from './support/sandbox.js';

const FIXTURE = 'influxctl-config.toml';
const FIXTURE_SECRET = 'auth0-client-secret-9d2f';

describe('authctl profile import --from influxctl', () => {
  test('each [[profile]] with [profile.auth.oauth2] becomes an oidc profile: explicit endpoints, scopes, parameters, the device flow', async ({ sandbox }) => {
    await useFileStore(sandbox);
    const result = await sandbox.run(['profile', 'import', '--from', 'influxctl', await copyFixture(sandbox, FIXTURE)]);
    expect(result.code, result.stderr).toBe(0);

    expect(parse(await sandbox.readConfig())).toEqual({
      default_profile: 'default',
      store: { backend: 'file' },
      profiles: {
        default: {
          provider: 'oidc',
          client_id: 'influxctl',
          token_url: 'https://keycloak.example.com/realms/influxdb/protocol/openid-connect/token',
          device_url: 'https://keycloak.example.com/realms/influxdb/protocol/openid-connect/auth/device',
          flow: 'device',
        },
        auth0: {
          provider: 'oidc',
          client_id: 'auth0-client-id',
          token_url: 'https://tenant.auth0.example.com/oauth/token',
          device_url: 'https://tenant.auth0.example.com/oauth/device/code',
          parameters: { audience: 'https://cluster-host.com/api' },
          flow: 'device',
        },
        azure: {
          provider: 'oidc',
          client_id: 'azure-client-id',
          token_url: 'https://login.microsoftonline.com/azure-tenant-id/oauth2/v2.0/token',
          device_url: 'https://login.microsoftonline.com/azure-tenant-id/oauth2/v2.0/devicecode',
          scopes: ['azure-client-id/.default'],
          flow: 'device',
        },
      },
    });
    expect(result.stderr).toContain('Could not import influxctl profile "bypass": it logs in with an admin token file ([profile.auth.token]), not OAuth2');
    expect(result.stderr).toContain('not imported: product, host, port (it describes the InfluxDB cluster, not the login)');
  });

  test('client_secret goes to the credential store, never into config.toml or the output', async ({ sandbox }) => {
    await useFileStore(sandbox);
    const result = await sandbox.run(['profile', 'import', '--from', 'influxctl', await copyFixture(sandbox, FIXTURE)]);
    expect(result.code, result.stderr).toBe(0);

    expect(await sandbox.readConfig()).not.toContain(FIXTURE_SECRET);
    expect(`${result.stdout}${result.stderr}`).not.toContain(FIXTURE_SECRET);
    expect(JSON.parse(await readFile(sandbox.credentialFile(clientSecretKey('auth0')), 'utf8'))).toEqual({ kind: 'secret', value: FIXTURE_SECRET });
    expect(await sandbox.credentialFiles()).toEqual([`${encodeURIComponent(clientSecretKey('auth0'))}.json`]);
  });

  test("without FILE it reads influxctl's default, $XDG_CONFIG_HOME/influxctl/config.toml", async ({ sandbox }) => {
    await useFileStore(sandbox);
    const xdg = join(sandbox.home, 'xdg');
    await mkdir(join(xdg, 'influxctl'), { recursive: true });
    await writeFile(join(xdg, 'influxctl', 'config.toml'), await readFixture(FIXTURE));
    const result = await sandbox.run(['profile', 'import', '--from', 'influxctl', '--prefix', 'flux-'], { env: { XDG_CONFIG_HOME: xdg } });
    expect(result.code, result.stderr).toBe(0);
    expect(Object.keys((parse(await sandbox.readConfig()) as { profiles: object }).profiles)).toEqual(['flux-default', 'flux-auth0', 'flux-azure']);
  });

  test('a file that is not valid TOML: exit 2, file:line:column, no stack, no secret echoed', async ({ sandbox }) => {
    const file = join(sandbox.home, 'broken.toml');
    await writeFile(file, `[[profile]]\nname = "x"\n[profile.auth.oauth2]\nclient_secret = "${FIXTURE_SECRET}\n`);
    const result = await sandbox.run(['profile', 'import', '--from', 'influxctl', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`${file}:4:\\d+: invalid TOML`));
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stderr).not.toContain(FIXTURE_SECRET);
  });

  test('the imported device profile logs in against the test IdP with its stored client secret; print-token works', async ({ idp, sandbox }) => {
    await useFileStore(sandbox);
    const file = join(sandbox.home, 'influxctl.toml');
    // The fixture's shape, pointed at the test IdP's confidential client.
    await writeFile(
      file,
      [
        '[[profile]]',
        '    name = "dev"',
        '    product = "clustered"',
        '    host = "cluster-host.com"',
        '    [profile.auth.oauth2]',
        `        client_id = "${idp.clients.confidential.id}"`,
        `        client_secret = "${idp.clients.confidential.secret}"`,
        `        device_url = "${idp.issuer}/device/auth"`,
        `        token_url = "${idp.issuer}/token"`,
        '',
      ].join('\n'),
    );
    expect((await sandbox.run(['profile', 'import', '--from', 'influxctl', file])).code).toBe(0);

    // `svc` is a confidential client: the IdP refuses its device requests unless the stored secret is sent.
    const run = sandbox.start(['login', '--json'], { killAfterMs: 60_000 });
    const code = parseEvent(await run.nextLine());
    expect(code.event).toBe('device_code');
    await idp.user.approveDevice(String(code.verification_uri), String(code.user_code));
    expectLoginEvents(await run.done, 'device_code');

    const { introspection } = await printLiveToken(idp, sandbox);
    expect(introspection.client_id).toBe(idp.clients.confidential.id);
  });
});
