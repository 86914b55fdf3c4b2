import { randomBytes, timingSafeEqual } from 'node:crypto';
import type Provider from 'oidc-provider';
import { requestAddress } from '../http/request-address.js';
import type { Logger } from 'pino';
import { clientSubject, type Lockout } from '../guard/lockout.js';
import { deriveScrypt, verifySecret, type ScryptParams } from '../secrets/scrypt-hash.js';

/**
 * Confidential clients are registered with their PHC scrypt hash in place of
 * `client_secret`, and oidc-provider's secret comparison is replaced by a
 * hash check behind the lockout.
 */

export interface SecretHasher {
  /** The check against the configured PHC hash. */
  verify(secret: string, phc: string): Promise<boolean>;
  /** A cheaper scrypt under the cache's own salt: what the cache keeps and compares. */
  derive(secret: string, salt: Buffer): Promise<Buffer>;
}

// 16 MiB less memory and about 8 times faster than the configured ln=15:
// still a scrypt for every guess, and the lockout caps how many are made.
const CACHE_PARAMS: ScryptParams = { ln: 12, r: 8, p: 1 };

export const scryptHasher: SecretHasher = {
  verify: verifySecret,
  derive: (secret, salt) => deriveScrypt(secret, salt, 32, CACHE_PARAMS),
};

/**
 * Checks a client secret against its PHC hash. A service account asks for
 * a token often, so once a secret has verified, the cache keeps a cheaper
 * scrypt of it under a salt drawn when the process started; later checks
 * compare against that. A cached digest is only ever made from a secret the
 * configured hash accepted, and every candidate, right or wrong, costs one
 * scrypt: the cache is no faster oracle than the cheaper scrypt, and never
 * a shortcut for a secret that did not verify.
 */
export function createClientSecretVerifier(hasher: SecretHasher = scryptHasher): (candidate: string, phc: string) => Promise<boolean> {
  const salt = randomBytes(16);
  const verified = new Map<string, Buffer>();

  return async function verifyClientSecret(candidate, phc) {
    const known = verified.get(phc);
    if (known) return timingSafeEqual(known, await hasher.derive(candidate, salt));
    if (!(await hasher.verify(candidate, phc))) return false;
    verified.set(phc, await hasher.derive(candidate, salt));
    return true;
  };
}

export interface HashedClientSecretOptions {
  lockout: Lockout;
  logger: Logger;
}

/**
 * Replaces oidc-provider's `compareClientSecret` on every client. A locked
 * client or client address is answered like a wrong secret (oidc-provider's
 * `invalid_client`), without the secret being checked.
 */
export function useHashedClientSecrets(provider: Provider, { lockout, logger }: HashedClientSecretOptions): void {
  const verify = createClientSecretVerifier();
  const prototype = provider.Client.prototype as unknown as {
    clientId: string;
    clientSecret?: string;
    compareClientSecret(this: { clientId: string; clientSecret?: string }, actual: string): Promise<boolean>;
  };
  prototype.compareClientSecret = async function compareClientSecret(actual) {
    const phc = this.clientSecret;
    if (typeof phc !== 'string' || typeof actual !== 'string') return false;
    const address = requestAddress();
    const subject = clientSubject(this.clientId);
    const admission = await lockout.admit(subject, address);
    if (admission !== 'admitted') {
      logger.warn({ event: 'client_auth.locked', client_id: this.clientId, locked: admission }, 'client secret not checked: too many failures');
      return false;
    }
    if (!(await verify(actual, phc))) return false;
    await lockout.succeeded(subject, address);
    return true;
  };
}
