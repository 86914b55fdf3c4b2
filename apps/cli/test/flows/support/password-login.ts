import { expect } from 'vitest';
import type { Sandbox } from '../../support/sandbox.js';

export const ALICE = { username: 'alice', password: 'alice-password' } as const;

/**
 * `login --flow password` as alice, the password from AUTHCTL_PASSWORD: the quickest way to a refreshable login.
 * `--replace`: a test may log her in again over her stored login, which a non-terminal login otherwise refuses.
 */
export async function loginAsAlice(sandbox: Sandbox): Promise<void> {
  const result = await sandbox.run(['login', '--flow', 'password', '--username', ALICE.username, '--replace'], {
    env: { AUTHCTL_PASSWORD: ALICE.password },
  });
  expect(result.code, result.stderr).toBe(0);
}
