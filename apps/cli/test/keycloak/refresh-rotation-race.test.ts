import { browserScript } from '@auth/testkit';
import { describe, expect } from 'vitest';
import { expectLoginEvents } from '../flows/support/json-events.js';
import { storedTokens } from '../flows/support/stored-tokens.js';
import { configToml } from '../support/profiles.js';
import { redateStoredLogin } from '../flows/support/token-expiry.js';
import { personAt, verifiedClaims } from './support/keycloak-login.js';
import { keycloak, realmTest } from './support/realm-fixtures.js';

const test = realmTest('race');
const PROCESSES = 16;

describe('refresh-token rotation against a real Keycloak ("Revoke Refresh Token", no reuse)', () => {
  test(`${PROCESSES} print-token processes on one expired token: one refresh reaches Keycloak, all print the same new token, no invalid_grant`, async ({ realm, sandbox }) => {
    await sandbox.writeConfig(configToml({ dev: { provider: 'keycloak', url: keycloak().url, realm: realm.name, client_id: 'insights-app', flow: 'browser' } }, 'dev'));
    expectLoginEvents(await sandbox.run(['login', '--json'], { env: { BROWSER: browserScript, ...personAt(realm.users.alice) }, killAfterMs: 120_000 }), 'open_url');
    const before = await storedTokens(sandbox);
    await redateStoredLogin(sandbox, -10);
    const refreshesBefore = await realm.admin.realm.events(['REFRESH_TOKEN', 'REFRESH_TOKEN_ERROR']);

    const results = await Promise.all(Array.from({ length: PROCESSES }, () => sandbox.run(['print-token'])));

    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const printed = new Set(results.map((result) => result.stdout.trimEnd()));
    expect(printed.size, 'one token for all').toBe(1);
    const [token] = printed;
    expect(token).not.toBe(before.access_token);
    expect(token).toBe((await storedTokens(sandbox)).access_token);
    expect((await verifiedClaims(token!, realm)).sub).toBe(realm.users.alice.id);

    // Newest first: the ones stored since the login lead the list.
    const events = await realm.admin.realm.events(['REFRESH_TOKEN', 'REFRESH_TOKEN_ERROR']);
    const refreshes = events.slice(0, events.length - refreshesBefore.length);
    expect(refreshes.map((event) => `${event.type}${event.error ? ` ${event.error}` : ''}`)).toEqual(['REFRESH_TOKEN']);
  });
});
