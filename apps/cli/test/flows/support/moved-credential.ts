import { readFile, writeFile } from 'node:fs/promises';
import type { Sandbox } from '../../support/sandbox.js';

/**
 * Rewrites the stored login of profile `dev` (core's credential-file.ts
 * format): its refreshes go to `tokenUrl`, and its access token has
 * `secondsLeft` of a one-hour lifetime left (negative: expired that long ago).
 * Returns the stored access token.
 */
export async function moveStoredLogin(sandbox: Sandbox, tokenUrl: string, secondsLeft: number): Promise<string> {
  const file = sandbox.credentialFile('dev');
  const credential = JSON.parse(await readFile(file, 'utf8')) as {
    server: { token_endpoint: string };
    tokens: { access_token: string; expires_at: number; issued_at?: number };
  };
  const now = Math.floor(Date.now() / 1000);
  credential.server = { token_endpoint: tokenUrl };
  credential.tokens.expires_at = now + secondsLeft;
  credential.tokens.issued_at = now + secondsLeft - 3600;
  await writeFile(file, JSON.stringify(credential), { mode: 0o600 });
  return credential.tokens.access_token;
}
