import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password and client-secret hashes in the PHC string format used by
 * @phc/scrypt and passlib: `$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, where
 * N = 2^ln and salt/hash are base64 without padding.
 */

export interface ScryptParams {
  ln: number;
  r: number;
  p: number;
}

export interface ParsedScryptHash extends ScryptParams {
  salt: Buffer;
  hash: Buffer;
}

const DEFAULT_PARAMS: ScryptParams = { ln: 15, r: 8, p: 1 };
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{22,})$/;

// Bounds keep a hostile or mistyped config from asking for gigabytes of memory.
const LIMITS = { ln: [10, 20], r: [1, 32], p: [1, 16] } as const;

export function parseScryptHash(value: string): ParsedScryptHash | undefined {
  const match = PHC.exec(value);
  if (!match) return undefined;
  const [, ln, r, p, salt, hash] = match as unknown as [string, string, string, string, string, string];
  const params = { ln: Number(ln), r: Number(r), p: Number(p) };
  for (const key of ['ln', 'r', 'p'] as const) {
    const [min, max] = LIMITS[key];
    if (params[key] < min || params[key] > max) return undefined;
  }
  return { ...params, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

export function isScryptHash(value: string): boolean {
  return parseScryptHash(value) !== undefined;
}

/** scrypt of the NFKC-normalised secret with N = 2^ln. */
function deriveScrypt(secret: string, salt: Buffer, length: number, { ln, r, p }: ScryptParams): Promise<Buffer> {
  const N = 2 ** ln;
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(secret.normalize('NFKC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

const b64 = (buffer: Buffer) => buffer.toString('base64').replace(/=+$/, '');

export async function hashSecret(secret: string, params: ScryptParams = DEFAULT_PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const hash = await deriveScrypt(secret, salt, 32, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`;
}

/** Constant-time check of `secret` against a PHC scrypt hash; false for a malformed hash. */
export async function verifySecret(secret: string, phc: string): Promise<boolean> {
  const parsed = parseScryptHash(phc);
  if (!parsed) return false;
  const actual = await deriveScrypt(secret, parsed.salt, parsed.hash.length, parsed);
  return timingSafeEqual(actual, parsed.hash);
}
