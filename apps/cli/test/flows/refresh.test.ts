import { describe, expect } from 'vitest';
import { STACK_FRAME } from '../support/sandbox.js';
import { flowTest as test } from './support/flow-fixtures.js';
import { printLiveToken } from './support/live-token.js';
import { ALICE, loginAsAlice } from './support/password-login.js';
import { storedTokens } from './support/stored-tokens.js';
import { expireStoredToken } from './support/token-expiry.js';

describe('refresh through print-token', () => {
  test('an expired access token with a live refresh token: print-token (stdin closed) refreshes once and prints a new live token', async ({
    idp,
    sandbox,
  }) => {
    await loginAsAlice(sandbox);
    const first = await storedTokens(sandbox);
    expect(first.refresh_token).toBeDefined();
    await expireStoredToken(sandbox);
    idp.resetCounts();

    const { token } = await printLiveToken(idp, sandbox);
    expect(token).not.toBe(first.access_token);
    expect(idp.grantCount('refresh_token')).toBe(1);
    expect(idp.grants().map((grant) => grant.grant_type)).toEqual(['refresh_token']);
    // The rotated refresh token was kept: the next refresh would not be a reuse.
    const second = await storedTokens(sandbox);
    expect(second.access_token).toBe(token);
    expect(second.refresh_token).toBeDefined();
    expect(second.refresh_token).not.toBe(first.refresh_token);
  });

  test('a revoked refresh token: print-token exits 3 with exactly one line on stderr and prints no token', async ({ idp, sandbox }) => {
    await loginAsAlice(sandbox);
    await idp.revokeAllGrants();
    await expireStoredToken(sandbox);

    const printed = await sandbox.run(['print-token']);
    expect(printed.code, printed.stderr).toBe(3);
    expect(printed.stdout).toBe('');
    expect(printed.stderr.endsWith('\n')).toBe(true);
    expect(printed.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(printed.stderr).toContain('authctl login');
    expect(printed.stderr).not.toMatch(STACK_FRAME);
    expect(idp.grantCount('refresh_token')).toBe(1);
  });

  test('a revoked refresh token on a password login, with AUTHCTL_USERNAME and AUTHCTL_PASSWORD set: print-token logs in again silently', async ({
    idp,
    sandbox,
  }) => {
    await loginAsAlice(sandbox);
    const first = await storedTokens(sandbox);
    await idp.revokeAllGrants();
    await expireStoredToken(sandbox);
    idp.resetCounts();

    const env = { AUTHCTL_USERNAME: ALICE.username, AUTHCTL_PASSWORD: ALICE.password };
    const { token, introspection } = await printLiveToken(idp, sandbox, env);
    expect(token).not.toBe(first.access_token);
    expect(introspection.sub).toBe(ALICE.username);
    expect(idp.grants().map((grant) => `${grant.grant_type} ${grant.status}`)).toEqual(['refresh_token 400', 'password 200']);
  });
});
