import { describe, expect } from 'vitest';
import { introspect } from '../support/idp-checks.js';
import { STACK_FRAME } from '../support/sandbox.js';
import { flowTest as test } from './support/flow-fixtures.js';
import { loginAsAlice } from './support/password-login.js';
import { storedTokens } from './support/stored-tokens.js';
import { waitUntilExpired } from './support/token-expiry.js';

describe('refresh through print-token', () => {
  test('an expired access token with a live refresh token: print-token (stdin closed) refreshes once and prints a new live token', async ({
    idp,
    sandbox,
  }) => {
    idp.setAccessTokenTtl(3);
    await loginAsAlice(sandbox);
    const first = await storedTokens(sandbox);
    expect(first.refresh_token).toBeDefined();
    await waitUntilExpired(sandbox);
    idp.resetCounts();

    const printed = await sandbox.run(['print-token']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stderr).toBe('');
    expect(printed.stdout).toMatch(/^\S+\n$/);
    const token = printed.stdout.trimEnd();
    expect(token).not.toBe(first.access_token);
    expect(idp.grantCount('refresh_token')).toBe(1);
    expect(idp.grants().map((grant) => grant.grant_type)).toEqual(['refresh_token']);
    expect((await introspect(idp, token)).active).toBe(true);
    // The rotated refresh token was kept: the next refresh would not be a reuse.
    const second = await storedTokens(sandbox);
    expect(second.access_token).toBe(token);
    expect(second.refresh_token).toBeDefined();
    expect(second.refresh_token).not.toBe(first.refresh_token);
  });

  test('a revoked refresh token: print-token exits 3 with exactly one line on stderr and prints no token', async ({ idp, sandbox }) => {
    idp.setAccessTokenTtl(3);
    await loginAsAlice(sandbox);
    await idp.revokeAllGrants();
    await waitUntilExpired(sandbox);

    const printed = await sandbox.run(['print-token']);
    expect(printed.code, printed.stderr).toBe(3);
    expect(printed.stdout).toBe('');
    expect(printed.stderr.endsWith('\n')).toBe(true);
    expect(printed.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(printed.stderr).toContain('authctl login');
    expect(printed.stderr).not.toMatch(STACK_FRAME);
    expect(idp.grantCount('refresh_token')).toBe(1);
  });
});
