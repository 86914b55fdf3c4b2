import { readFile, writeFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type { Sandbox } from '../../support/sandbox.js';

/** A one-hour token's lifetime, as the rewritten logins below date it. */
const LIFETIME_SECONDS = 3600;

interface StoredLogin {
  server: { token_endpoint: string };
  tokens: { access_token: string; expires_at: number; issued_at?: number };
}

/**
 * Rewrites the stored login of profile `dev` (core's credential-file.ts
 * format) so its one-hour access token has `secondsLeft` left (negative:
 * expired that long ago), and its refreshes go to `tokenUrl` when given.
 * The binary reads the real clock; dating the token is how a test moves it
 * without waiting. Returns the stored access token.
 */
export async function redateStoredLogin(sandbox: Sandbox, secondsLeft: number, tokenUrl?: string): Promise<string> {
  const file = sandbox.credentialFile('dev');
  const credential = JSON.parse(await readFile(file, 'utf8')) as StoredLogin;
  const now = Math.floor(Date.now() / 1000);
  if (tokenUrl !== undefined) credential.server = { token_endpoint: tokenUrl };
  credential.tokens.expires_at = now + secondsLeft;
  credential.tokens.issued_at = now + secondsLeft - LIFETIME_SECONDS;
  await writeFile(file, JSON.stringify(credential), { mode: 0o600 });
  return credential.tokens.access_token;
}

/**
 * Expires the stored access token of the default profile, and checks that
 * `authctl status` agrees: the premise of every refresh test here.
 */
export async function expireStoredToken(sandbox: Sandbox): Promise<void> {
  await redateStoredLogin(sandbox, -10);
  const status = await sandbox.run(['status', '--json']);
  expect(status.code, status.stderr).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ expired: true });
}
