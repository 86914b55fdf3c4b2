import type { TestIdP } from '@auth/testkit';
import { describe, expect } from 'vitest';
import { introspect } from '../support/idp-checks.js';
import type { Sandbox } from '../support/sandbox.js';
import { flowTest as test } from './support/flow-fixtures.js';
import { loginAsAlice } from './support/password-login.js';
import { storedTokens } from './support/stored-tokens.js';
import { expireStoredToken } from './support/token-expiry.js';

const PROCESSES = 16;
/** Fresh logins in one test: a race that loses one time in three shows up here. */
const ROUNDS = 3;

/**
 * Starts PROCESSES `authctl print-token` at once on the stored, expired
 * token; all must succeed and print the same line. Returns that token,
 * checked live at the IdP and new.
 */
async function printTokenTogether(idp: TestIdP, sandbox: Sandbox, env: NodeJS.ProcessEnv = {}) {
  const expired = await storedTokens(sandbox);
  const results = await Promise.all(Array.from({ length: PROCESSES }, () => sandbox.run(['print-token'], { env, killAfterMs: 60_000 })));
  expect(results.filter((result) => result.code !== 0).map((result) => `exit ${result.code}: ${result.stderr}`)).toEqual([]);
  const printed = new Set(results.map((result) => result.stdout));
  expect(printed.size, [...printed].join('')).toBe(1);
  const [output] = printed;
  expect(output).toMatch(/^\S+\n$/);
  const token = output!.trimEnd();
  expect(token).not.toBe(expired.access_token);
  expect((await storedTokens(sandbox)).access_token).toBe(token);
  return { token, introspection: await introspect(idp, token) };
}

describe('refresh is single-flight across processes', () => {
  test(
    `${PROCESSES} print-token processes on an expired token, against strict refresh rotation: one refresh grant, the same live token for all (${ROUNDS} rounds)`,
    async ({ idp, sandbox }) => {
      for (let round = 1; round <= ROUNDS; round += 1) {
        await loginAsAlice(sandbox);
        await expireStoredToken(sandbox);
        idp.resetCounts();

        const { introspection } = await printTokenTogether(idp, sandbox);
        // A second refresh would have reused a rotated refresh token, which makes this IdP revoke the whole grant.
        expect(idp.grants().map((grant) => `${grant.grant_type} ${grant.status}`), `round ${round}`).toEqual(['refresh_token 200']);
        expect(introspection.active, `round ${round}`).toBe(true);
      }
    },
    120_000,
  );

  test(`${PROCESSES} print-token processes on an expired service-account token: one silent client_credentials login, the same live token for all`, async ({
    idp,
    sandbox,
  }) => {
    const env = { AUTHCTL_CLIENT_SECRET: idp.clients.confidential.secret };
    const login = await sandbox.run(['login', '--serviceaccount'], { env });
    expect(login.code, login.stderr).toBe(0);
    expect((await storedTokens(sandbox)).refresh_token).toBeUndefined();
    await expireStoredToken(sandbox);
    idp.resetCounts();

    const { introspection } = await printTokenTogether(idp, sandbox, env);
    expect(idp.grants().map((grant) => `${grant.grant_type} ${grant.status}`)).toEqual(['client_credentials 200']);
    expect(introspection.active).toBe(true);
    expect(introspection.client_id).toBe(idp.clients.confidential.id);
  });
});
