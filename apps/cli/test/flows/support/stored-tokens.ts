import { readFile } from 'node:fs/promises';
import type { Sandbox } from '../../support/sandbox.js';

export interface StoredTokens {
  access_token: string;
  refresh_token?: string;
  expires_at: number;
}

/** The tokens the file store holds for a profile (core's credential-file.ts format). */
export async function storedTokens(sandbox: Sandbox, profile = 'dev'): Promise<StoredTokens> {
  const credential = JSON.parse(await readFile(sandbox.credentialFile(profile), 'utf8')) as { kind: string; tokens: StoredTokens };
  if (credential.kind !== 'oauth') throw new Error(`profile ${profile} holds a ${credential.kind} credential, not OAuth tokens`);
  return credential.tokens;
}
