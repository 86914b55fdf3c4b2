import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { Sandbox } from '../../support/sandbox.js';
import { storedTokens } from './stored-tokens.js';

/** An access-token lifetime that lapses almost at once, so a test waits as little as possible for expiry. */
export const SHORT_ACCESS_TOKEN_TTL = 1;

/**
 * Waits until the stored access token of the default profile has expired,
 * and checks that `authctl status` agrees: the premise of every refresh test here.
 */
export async function waitUntilExpired(sandbox: Sandbox): Promise<void> {
  const { expires_at: expiresAt } = await storedTokens(sandbox);
  // expires_at has whole-second precision; one more second is past it on every clock reading.
  const wait = (expiresAt + 1) * 1000 - Date.now();
  if (wait > 0) await sleep(wait);
  const status = await sandbox.run(['status', '--json']);
  expect(status.code, status.stderr).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ expires_at: expiresAt, expired: true });
}
