import { describe, expect } from 'vitest';
import { introspect } from '../support/idp-checks.js';
import { flowTest as test } from './support/flow-fixtures.js';
import { loginAsAlice } from './support/password-login.js';
import { storedTokens } from './support/stored-tokens.js';
import { SHORT_ACCESS_TOKEN_TTL, waitUntilExpired } from './support/token-expiry.js';

const PROCESSES = 16;
/** Fresh logins in one test: a race that loses one time in three shows up here. */
const ROUNDS = 3;

describe('refresh is single-flight across processes', () => {
  test(
    `${PROCESSES} print-token processes on an expired token, against strict refresh rotation: one refresh grant, the same live token for all (${ROUNDS} rounds)`,
    async ({ idp, sandbox }) => {
      for (let round = 1; round <= ROUNDS; round += 1) {
        idp.setAccessTokenTtl(SHORT_ACCESS_TOKEN_TTL);
        await loginAsAlice(sandbox);
        const expired = await storedTokens(sandbox);
        idp.setAccessTokenTtl(3600);
        await waitUntilExpired(sandbox);
        idp.resetCounts();

        const results = await Promise.all(Array.from({ length: PROCESSES }, () => sandbox.run(['print-token'], { killAfterMs: 60_000 })));
        const failed = results.filter((result) => result.code !== 0);
        expect(failed, `round ${round}: ${failed.map((result) => `exit ${result.code}: ${result.stderr}`).join('\n')}`).toEqual([]);
        // A second refresh would have reused a rotated refresh token, which makes this IdP revoke the whole grant.
        expect(idp.grantCount('refresh_token'), `round ${round}`).toBe(1);
        const printed = new Set(results.map((result) => result.stdout));
        expect(printed.size, `round ${round}`).toBe(1);
        const [output] = printed;
        expect(output).toMatch(/^\S+\n$/);
        const token = output!.trimEnd();
        expect(token).not.toBe(expired.access_token);
        expect((await storedTokens(sandbox)).access_token).toBe(token);
        expect((await introspect(idp, token)).active, `round ${round}`).toBe(true);
      }
    },
    120_000,
  );

  test(`${PROCESSES} print-token processes on an expired service-account token: one silent client_credentials login, the same live token for all`, async ({
    idp,
    sandbox,
  }) => {
    const env = { AUTHCTL_CLIENT_SECRET: idp.clients.confidential.secret };
    idp.setAccessTokenTtl(SHORT_ACCESS_TOKEN_TTL);
    const login = await sandbox.run(['login', '--serviceaccount'], { env });
    expect(login.code, login.stderr).toBe(0);
    const expired = await storedTokens(sandbox);
    expect(expired.refresh_token).toBeUndefined();
    idp.setAccessTokenTtl(3600);
    await waitUntilExpired(sandbox);
    idp.resetCounts();

    const results = await Promise.all(Array.from({ length: PROCESSES }, () => sandbox.run(['print-token'], { env, killAfterMs: 60_000 })));
    expect(results.filter((result) => result.code !== 0).map((result) => result.stderr)).toEqual([]);
    expect(idp.grants().map((grant) => `${grant.grant_type} ${grant.status}`)).toEqual(['client_credentials 200']);
    const printed = new Set(results.map((result) => result.stdout));
    expect(printed.size).toBe(1);
    const token = [...printed][0]!.trimEnd();
    expect(token).not.toBe(expired.access_token);
    const live = await introspect(idp, token);
    expect(live.active).toBe(true);
    expect(live.client_id).toBe(idp.clients.confidential.id);
  });
});
