import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type Provider from 'oidc-provider';
import { requestAddress } from '../http/request-address.js';
import type { Logger } from 'pino';
import { clientSubject, type Lockout } from '../guard/lockout.js';
import { verifySecret } from '../secrets/scrypt-hash.js';

/**
 * Confidential clients are registered with their PHC scrypt hash in place of
 * `client_secret`, and oidc-provider's secret comparison is replaced by a
 * hash check behind the lockout.
 */

export interface SecretHasher {
  /** The check against the configured PHC hash. */
  verify(secret: string, phc: string): Promise<boolean>;
  /** A digest under the cache's own key: what the cache keeps and compares. */
  derive(secret: string, key: Buffer): Promise<Buffer>;
}

/**
 * The configured scrypt for secrets not verified yet; an HMAC-SHA256 under a
 * key drawn when the process starts for the cache. A fast cache is no
 * guessing oracle here: every check, cached or not, sits behind the lockout,
 * which allows a handful of wrong guesses per lock window (doubling to 15
 * minutes) whatever a guess costs to check. A per-grant scrypt instead
 * capped a service account at ~180 tokens/s on two cores.
 */
export const scryptHasher: SecretHasher = {
  verify: verifySecret,
  derive: async (secret, key) => createHmac('sha256', key).update(secret, 'utf8').digest(),
};

/**
 * Checks a client secret against its PHC hash. A service account asks for
 * a token often, so once a secret has verified, the cache keeps a keyed
 * digest of it (key drawn when the process started); later checks compare
 * against that in constant time. A cached digest is only ever made from a
 * secret the configured hash accepted, so the cache is never a shortcut for
 * a secret that did not verify, and the lockout in front bounds guessing.
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
    let matches: boolean;
    try {
      matches = await verify(actual, phc);
    } catch (error) {
      await lockout.abandoned(subject, address);
      throw error;
    }
    if (!matches) {
      await lockout.failed(subject, address);
      return false;
    }
    await lockout.succeeded(subject, address);
    return true;
  };
}
