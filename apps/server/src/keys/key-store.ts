import { generateKeyPair as generateKeyPairCb, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AuthError } from '@auth/core';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { z } from 'zod';
import { SIGNING_ALGS, type SigningAlg } from '../config/schema.js';
import { readPrivateFile, writePrivateFile } from '../fs/private-files.js';

/**
 * The issuer's keys, kept in `<data_dir>/keys.json` (0600): signing keys
 * (RS256, ES256 or EdDSA; the first one signs, the others stay in the JWKS
 * so tokens they signed keep verifying until retired), the cookie-signing
 * secrets and the key that derives per-interaction CSRF tokens.
 */

const generateKeyPair = promisify(generateKeyPairCb);

const KEY_TYPES: Record<SigningAlg, { kty: string; crv?: string }> = {
  RS256: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
};

const signingKeySchema = z
  .looseObject({
    kty: z.enum(['RSA', 'EC', 'OKP']),
    crv: z.string().optional(),
    kid: z.string().min(1),
    alg: z.enum(SIGNING_ALGS),
    use: z.literal('sig'),
    d: z.string(),
    created_at: z.number().int(),
  })
  .refine((key) => KEY_TYPES[key.alg].kty === key.kty && KEY_TYPES[key.alg].crv === key.crv, { error: 'key type does not match its alg' });

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

function generate(alg: SigningAlg) {
  switch (alg) {
    case 'RS256':
      return generateKeyPair('rsa', { modulusLength: 2048 });
    case 'ES256':
      return generateKeyPair('ec', { namedCurve: 'P-256' });
    case 'EdDSA':
      return generateKeyPair('ed25519');
  }
}

export async function newSigningKey(alg: SigningAlg): Promise<SigningKey> {
  const { privateKey } = await generate(alg);
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(jwk);
  return signingKeySchema.parse({ ...jwk, kid, alg, use: 'sig', created_at: Math.floor(Date.now() / 1000) });
}

const secret = () => randomBytes(32).toString('base64url');

/** `text` (from `where`: a file, or a Redis key) as a key set; a corrupt one is an error naming `where`. */
export function parseKeySet(text: string, where: string): KeySet {
  try {
    return keyFileSchema.parse(JSON.parse(text));
  } catch (cause) {
    throw new AuthError('STORE_CORRUPT', `${where} is not a valid auth-server key set`, {
      file: where,
      cause,
      hint: `restore it from a backup; deleting it makes new keys, and tokens signed with the old ones stop verifying`,
    });
  }
}

async function readKeySet(dataDir: string): Promise<KeySet | undefined> {
  const file = keyFilePath(dataDir);
  const text = await readPrivateFile(file);
  return text === undefined ? undefined : parseKeySet(text, file);
}

async function writeKeySet(dataDir: string, keys: KeySet): Promise<void> {
  await writePrivateFile(keyFilePath(dataDir), `${JSON.stringify(keys, null, 2)}\n`);
}

/**
 * The data dir's keys, created on first use. The first signing key signs, so
 * when the config names another algorithm its newest key moves to the front
 * (or a new one is made); the older keys stay in the JWKS and the tokens they
 * signed keep verifying.
 */
export async function loadOrCreateKeys(dataDir: string, alg: SigningAlg = 'RS256'): Promise<{ keys: KeySet; created: boolean }> {
  const existing = await readKeySet(dataDir);
  if (existing?.signing[0]!.alg === alg) return { keys: existing, created: false };
  const current = existing?.signing.find((key) => key.alg === alg);
  const key = current ?? (await newSigningKey(alg));
  const keys: KeySet = existing
    ? { ...existing, signing: [key, ...existing.signing.filter((other) => other !== key)] }
    : { version: 1, signing: [key], cookie_secrets: [secret()], csrf_secret: secret() };
  await writeKeySet(dataDir, keys);
  return { keys, created: !current };
}

/** Adds a new signing key (of the active key's algorithm) that signs from the next start on; older keys keep verifying. */
export async function rotateSigningKey(dataDir: string): Promise<SigningKey> {
  const keys = (await readKeySet(dataDir)) ?? (await loadOrCreateKeys(dataDir)).keys;
  const key = await newSigningKey(keys.signing[0]!.alg);
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
  await writeKeySet(dataDir, withoutSigningKey(keys, kid, file, `--data-dir ${dataDir}`));
}

/**
 * `keys` without the verification-only key `kid`; an unknown kid or the
 * active key is a usage error naming `where` the keys are and the
 * `auth-server keys` option (`--data-dir DIR`, `--state URL`) that reaches them.
 */
export function withoutSigningKey(keys: KeySet, kid: string, where: string, option: string): KeySet {
  const index = keys.signing.findIndex((key) => key.kid === kid);
  if (index === -1) {
    throw new AuthError('USAGE', `no signing key with kid "${kid}" in ${where}`, {
      file: where,
      hint: `run \`auth-server keys list ${option}\` to see the kids`,
    });
  }
  if (index === 0) {
    throw new AuthError('USAGE', `key "${kid}" is the active signing key in ${where}`, {
      file: where,
      hint: `run \`auth-server keys rotate ${option}\` first, let every server sign with the new key (a data-dir server after a restart), then retire it once its tokens have expired`,
    });
  }
  return { ...keys, signing: keys.signing.filter((key) => key.kid !== kid) };
}

/** The signing keys for `auth-server keys list`, active first. */
export function describeSigningKeys(keys: KeySet | undefined): Array<{ kid: string; alg: SigningAlg; active: boolean; created_at: number }> {
  return (keys?.signing ?? []).map((key, i) => ({ kid: key.kid, alg: key.alg, active: i === 0, created_at: key.created_at }));
}

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

/** The signing keys as the JWKS publishes them: public members only. */
export function publicJwks(keys: KeySet): { keys: JWK[] } {
  return {
    keys: keys.signing.map(({ created_at: _created, ...jwk }) => Object.fromEntries(Object.entries(jwk).filter(([member]) => !PRIVATE_JWK_MEMBERS.includes(member))) as JWK),
  };
}

export async function listSigningKeys(dataDir: string): Promise<ReturnType<typeof describeSigningKeys>> {
  return describeSigningKeys(await readKeySet(dataDir));
}
