import { generateKeyPair as generateKeyPairCb, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AuthError } from '@auth/core';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { z } from 'zod';
import { readPrivateFile, writePrivateFile } from '../fs/private-files.js';

/**
 * The issuer's keys, kept in `<data_dir>/keys.json` (0600): RS256 signing
 * keys (the first one signs; the others stay in the JWKS so tokens they
 * signed keep verifying until retired), the cookie-signing secrets and the
 * key that derives per-interaction CSRF tokens.
 */

const generateKeyPair = promisify(generateKeyPairCb);

const signingKeySchema = z.looseObject({
  kty: z.literal('RSA'),
  kid: z.string().min(1),
  alg: z.literal('RS256'),
  use: z.literal('sig'),
  n: z.string(),
  e: z.string(),
  d: z.string(),
  created_at: z.number().int(),
});

const keyFileSchema = z.object({
  version: z.literal(1),
  signing: z.array(signingKeySchema).min(1),
  cookie_secrets: z.array(z.string().min(32)).min(1),
  csrf_secret: z.string().min(32),
});

export type SigningKey = z.infer<typeof signingKeySchema>;
export type KeySet = z.infer<typeof keyFileSchema>;

export function keyFilePath(dataDir: string): string {
  return join(dataDir, 'keys.json');
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK & { n: string; e: string; d: string };
  const kid = await calculateJwkThumbprint({ kty: 'RSA', n: jwk.n, e: jwk.e });
  return { ...jwk, kty: 'RSA', kid, alg: 'RS256', use: 'sig', created_at: Math.floor(Date.now() / 1000) };
}

const secret = () => randomBytes(32).toString('base64url');

async function readKeySet(dataDir: string): Promise<KeySet | undefined> {
  const file = keyFilePath(dataDir);
  const text = await readPrivateFile(file);
  if (text === undefined) return undefined;
  try {
    return keyFileSchema.parse(JSON.parse(text));
  } catch (cause) {
    throw new AuthError('STORE_CORRUPT', `${file} is not a valid auth-server key file`, {
      file,
      cause,
      hint: `restore it from a backup; deleting it makes new keys, and tokens signed with the old ones stop verifying`,
    });
  }
}

async function writeKeySet(dataDir: string, keys: KeySet): Promise<void> {
  await writePrivateFile(keyFilePath(dataDir), `${JSON.stringify(keys, null, 2)}\n`);
}

/** The data dir's keys, created on first use. */
export async function loadOrCreateKeys(dataDir: string): Promise<{ keys: KeySet; created: boolean }> {
  const existing = await readKeySet(dataDir);
  if (existing) return { keys: existing, created: false };
  const keys: KeySet = { version: 1, signing: [await newSigningKey()], cookie_secrets: [secret()], csrf_secret: secret() };
  await writeKeySet(dataDir, keys);
  return { keys, created: true };
}

/** Adds a new signing key that signs from the next start on; older keys keep verifying. */
export async function rotateSigningKey(dataDir: string): Promise<SigningKey> {
  const { keys } = await loadOrCreateKeys(dataDir);
  const key = await newSigningKey();
  await writeKeySet(dataDir, { ...keys, signing: [key, ...keys.signing] });
  return key;
}

/** Removes a verification-only key from the JWKS; tokens it signed stop verifying. */
export async function retireSigningKey(dataDir: string, kid: string): Promise<void> {
  const file = keyFilePath(dataDir);
  const keys = await readKeySet(dataDir);
  if (!keys) {
    throw new AuthError('USAGE', `no key file at ${file}`, { file, hint: 'pass the --data-dir the server uses' });
  }
  const index = keys.signing.findIndex((key) => key.kid === kid);
  if (index === -1) {
    throw new AuthError('USAGE', `no signing key with kid "${kid}" in ${file}`, {
      file,
      hint: `run \`auth-server keys list --data-dir ${dataDir}\` to see the kids`,
    });
  }
  if (index === 0) {
    throw new AuthError('USAGE', `key "${kid}" is the active signing key in ${file}`, {
      file,
      hint: `run \`auth-server keys rotate --data-dir ${dataDir}\` first, restart the server, then retire it once its tokens have expired`,
    });
  }
  await writeKeySet(dataDir, { ...keys, signing: keys.signing.filter((key) => key.kid !== kid) });
}

export async function listSigningKeys(dataDir: string): Promise<Array<{ kid: string; active: boolean; created_at: number }>> {
  const keys = await readKeySet(dataDir);
  return (keys?.signing ?? []).map((key, i) => ({ kid: key.kid, active: i === 0, created_at: key.created_at }));
}
