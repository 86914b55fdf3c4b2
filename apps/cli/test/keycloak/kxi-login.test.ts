import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { browserScript } from '@auth/testkit';
import { createInsightsRealm } from '@auth/provider-keycloak/testing';
import { describe, expect } from 'vitest';
import { storedTokens } from '../flows/support/stored-tokens.js';
import { expectLoginEvents, parseEvent } from '../flows/support/json-events.js';
import { configToml } from '../support/profiles.js';
import { redateStoredLogin } from '../flows/support/token-expiry.js';
import { browse, personAt, printToken, verifiedClaims } from './support/keycloak-login.js';
import { keycloak, realmTest } from './support/realm-fixtures.js';

const test = realmTest('kxi');

/** kxi's profile for the realm: provider keycloak, url + realm, client insights-app. */
function kxiProfile(realm: { name: string }, extra: Record<string, unknown> = {}) {
  return { provider: 'keycloak', url: keycloak().url, realm: realm.name, client_id: 'insights-app', ...extra };
}

describe('kxi-style login against a real Keycloak', () => {
  test('browser login through Keycloak\'s own login page in chromium; the token verifies against the realm JWKS', async ({ realm, sandbox }) => {
    await sandbox.writeConfig(configToml({ dev: kxiProfile(realm, { flow: 'browser' }) }, 'dev'));
    const log = join(sandbox.home, 'browser.log');
    const result = await sandbox.run(['login', '--json'], { env: { BROWSER: browserScript, ...personAt(realm.users.alice, log) }, killAfterMs: 120_000 });
    const [open] = expectLoginEvents(result, 'open_url');
    const url = new URL(String(open.url));
    expect(`${url.origin}${url.pathname}`).toBe(realm.endpoints.authorization);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');

    const claims = await verifiedClaims(await printToken(sandbox), realm);
    expect(claims).toMatchObject({ sub: realm.users.alice.id, azp: 'insights-app', preferred_username: 'alice' });
    expect((claims.realm_access as { roles: string[] }).roles).toContain('insights.query');
  });

  test('--force-code: Keycloak shows the code on its out-of-band page (redirect_uri urn:ietf:wg:oauth:2.0:oob); pasting it logs in', async ({ realm, sandbox }) => {
    await sandbox.writeConfig(configToml({ dev: kxiProfile(realm, { code_redirect_uri: 'urn:ietf:wg:oauth:2.0:oob' }) }, 'dev'));
    const login = sandbox.start(['login', '--force-code', '--json'], { killAfterMs: 120_000 });
    const open = parseEvent(await login.nextLine());
    expect(new URL(String(open.url)).searchParams.get('redirect_uri')).toBe('urn:ietf:wg:oauth:2.0:oob');
    const code = await browse(String(open.url), realm.users.bob);
    expect(code).not.toBe('');
    login.write(`${code}\n`);
    const result = await login.done;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trimEnd().split('\n').pop()!)).toMatchObject({ event: 'logged_in', profile: 'dev' });
    expect((await verifiedClaims(await printToken(sandbox), realm)).sub).toBe(realm.users.bob.id);
  });

  test('--serviceaccount with the secret from the credential store, and from KXI_SERVICEACCOUNT_ID / KXI_SERVICEACCOUNT_SECRET', async ({ realm, sandbox }) => {
    const service = realm.clients.service;
    await sandbox.writeConfig(configToml({ dev: kxiProfile(realm, { service_account: { client_id: service.id } }), env: kxiProfile(realm) }, 'dev'));
    const stored = await sandbox.run(['configure', '--client-secret-stdin'], { input: `${service.secret}\n` });
    expect(stored.code, stored.stderr).toBe(0);

    const fromStore = await sandbox.run(['login', '--serviceaccount']);
    expect(fromStore.code, fromStore.stderr).toBe(0);
    const fromEnv = await sandbox.run(['--profile', 'env', 'login', '--serviceaccount'], {
      env: { KXI_SERVICEACCOUNT_ID: service.id, KXI_SERVICEACCOUNT_SECRET: service.secret },
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);

    const serviceAccountUser = await realm.admin.users.findUser(`service-account-${service.id}`);
    for (const profile of ['dev', 'env']) {
      const claims = await verifiedClaims(await printToken(sandbox, profile), realm);
      expect(claims, profile).toMatchObject({ sub: serviceAccountUser!.id, azp: service.id });
    }
    expect(`${fromStore.stdout}${fromStore.stderr}${fromEnv.stdout}${fromEnv.stderr}`).not.toContain(service.secret);
  });

  test('a five-minute access token, once expired, is refreshed silently by print-token; with rotation on the old refresh token is dead and print-token never prints an expired token', async ({
    realm,
    sandbox,
  }) => {
    await sandbox.writeConfig(configToml({ dev: kxiProfile(realm, { flow: 'browser' }) }, 'dev'));
    const login = await sandbox.run(['login', '--json'], { env: { BROWSER: browserScript, ...personAt(realm.users.alice) }, killAfterMs: 120_000 });
    expectLoginEvents(login, 'open_url');
    const first = await storedTokens(sandbox);
    const claims = await verifiedClaims(first.access_token, realm);
    expect(claims.exp! - claims.iat!, "the realm's access token lifespan").toBe(300);

    const beforeRefresh = await readFile(sandbox.credentialFile('dev'), 'utf8');
    await redateStoredLogin(sandbox, -10);
    const refreshed = await printToken(sandbox);
    const second = await storedTokens(sandbox);
    expect(refreshed).toBe(second.access_token);
    expect(refreshed).not.toBe(first.access_token);
    expect(second.refresh_token, 'Revoke Refresh Token: a new refresh token with every refresh').not.toBe(first.refresh_token);
    expect((await verifiedClaims(refreshed, realm)).sub).toBe(realm.users.alice.id);

    // The login as it was before the refresh: expired, holding the refresh token Keycloak has since revoked.
    await writeFile(sandbox.credentialFile('dev'), beforeRefresh, { mode: 0o600 });
    await redateStoredLogin(sandbox, -10);
    const stale = await sandbox.run(['print-token']);
    expect(stale.code, stale.stderr).toBe(3);
    expect(stale.stdout).toBe('');
    expect(stale.stderr).toContain('authctl login');
  });

  test('profiles dev and canary against two realms at once', async ({ realm, sandbox }) => {
    const canary = await createInsightsRealm(keycloak(), 'canary-kxi');
    try {
      const profile = (r: typeof realm) => kxiProfile(r, { service_account: { client_id: r.clients.service.id } });
      await sandbox.writeConfig(configToml({ dev: profile(realm), canary: profile(canary) }, 'dev'));
      for (const [name, r] of [['dev', realm], ['canary', canary]] as const) {
        const result = await sandbox.run(['--profile', name, 'login', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: r.clients.service.secret } });
        expect(result.code, result.stderr).toBe(0);
      }
      const [dev, can] = await Promise.all([printToken(sandbox, 'dev'), printToken(sandbox, 'canary')]);
      expect((await verifiedClaims(dev, realm)).iss).toBe(realm.issuer);
      expect((await verifiedClaims(can, canary)).iss).toBe(canary.issuer);
      await expect(verifiedClaims(dev, canary), 'a dev token is no canary token').rejects.toThrow();
    } finally {
      await canary.delete();
    }
  });
});
