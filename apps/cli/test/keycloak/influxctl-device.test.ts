import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect } from 'vitest';
import { jsonEvents, parseEvent } from '../flows/support/json-events.js';
import { browse, printToken, verifiedClaims } from './support/keycloak-login.js';
import { realmTest } from './support/realm-fixtures.js';

const test = realmTest('influxctl');

// InfluxDB Clustered admin authentication with influxctl: https://docs.influxdata.com/influxdb/clustered/install/auth/
describe('influxctl against a real Keycloak', () => {
  test('the profile as the InfluxDB Clustered docs write it for Keycloak (client_id, device_url, token_url; no discovery) logs in by device flow, the person approving on Keycloak\'s device page in chromium; the token verifies against the realm JWKS', async ({
    realm,
    sandbox,
  }) => {
    const influxctlConfig = join(sandbox.home, 'influxctl.toml');
    await writeFile(
      influxctlConfig,
      [
        '[[profile]]',
        '    name = "default"',
        '    product = "clustered"',
        '    host = "cluster-host.com"',
        '    port = "8086"',
        '',
        '    [profile.auth.oauth2]',
        `        client_id = "${realm.clients.device}"`,
        `        device_url = "${realm.endpoints.device}"`,
        `        token_url = "${realm.endpoints.token}"`,
        '',
      ].join('\n'),
    );
    const imported = await sandbox.run(['profile', 'import', '--from', 'influxctl', influxctlConfig]);
    expect(imported.code, imported.stderr).toBe(0);
    expect((parse(await readFile(sandbox.configFile, 'utf8')) as { profiles: Record<string, unknown> }).profiles.default).toEqual({
      provider: 'oidc',
      client_id: 'influxctl',
      device_url: realm.endpoints.device,
      token_url: realm.endpoints.token,
      flow: 'device',
    });

    const login = sandbox.start(['login', '--json'], { killAfterMs: 120_000 });
    const code = parseEvent(await login.nextLine());
    expect(code).toMatchObject({ event: 'device_code', verification_uri: `${realm.issuer}/device` });
    await browse(String(code.verification_uri_complete), realm.users.alice);
    const result = await login.done;
    expect(result.code, result.stderr).toBe(0);
    expect(jsonEvents(result.stdout).map(({ event, profile }) => ({ event, profile }))).toEqual([
      { event: 'device_code', profile: undefined },
      { event: 'logged_in', profile: 'default' },
    ]);

    const claims = await verifiedClaims(await printToken(sandbox), realm);
    expect(claims).toMatchObject({ sub: realm.users.alice.id, azp: 'influxctl', preferred_username: 'alice' });
  });

  test('the seam for the gateway: userToken mints a realm user\'s token whose sub is the user id InfluxDB Clustered lists in `users`', async ({ realm }) => {
    const { accessToken, userId } = await realm.userToken('bob');
    expect(userId).toBe((await realm.admin.users.findUser('bob'))!.id);
    expect((await verifiedClaims(accessToken, realm)).sub).toBe(userId);
  });
});
