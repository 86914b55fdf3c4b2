import { mkdir, utimes } from 'node:fs/promises';
import { describe, expect } from 'vitest';
import { flowTest as test } from './support/flow-fixtures.js';
import { loginAsAlice } from './support/password-login.js';
import { storedTokens } from './support/stored-tokens.js';
import { expireStoredToken } from './support/token-expiry.js';

const PROCESSES = 32;
/** Each IdP answer takes this long: 32 redemptions in a row would take over a minute. */
const IDP_LATENCY_MS = 2_000;

describe('a dead refresh token and the profile lock', () => {
  test(`${PROCESSES} print-token processes on a revoked refresh token behind a ${IDP_LATENCY_MS} ms IdP: one redemption, every one exits 3`, async ({
    idp,
    sandbox,
  }) => {
    await loginAsAlice(sandbox);
    await idp.revokeAllGrants();
    await expireStoredToken(sandbox);
    idp.resetCounts();
    idp.setLatency(IDP_LATENCY_MS);

    const results = await Promise.all(Array.from({ length: PROCESSES }, () => sandbox.run(['print-token'], { killAfterMs: 60_000 })));

    expect(results.filter((result) => result.code !== 3).map((result) => `exit ${result.code}: ${result.stderr}`)).toEqual([]);
    for (const result of results) {
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('authctl login --profile dev');
    }
    // Every waiter re-read the refusal recorded under the lock instead of redeeming the dead token again.
    expect(idp.grantCount('refresh_token')).toBe(1);
    expect((await storedTokens(sandbox)).refresh_token).toBeUndefined();
  }, 120_000);

  test('a lock dated in the future is taken over: print-token refreshes at once instead of waiting for it to age', async ({ idp, sandbox }) => {
    await loginAsAlice(sandbox);
    await expireStoredToken(sandbox);
    const lock = sandbox.credentialFile('dev').replace(/\.json$/, '.lock');
    await mkdir(lock);
    const inAnHour = new Date(Date.now() + 3_600_000);
    await utimes(lock, inAnHour, inAnHour);
    idp.resetCounts();

    // The lock wait gives up after 60 s; killed at 30 s, a wait shows as a null exit code.
    const printed = await sandbox.run(['print-token'], { killAfterMs: 30_000 });

    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/^\S+\n$/);
    expect(idp.grantCount('refresh_token')).toBe(1);
  });
});
