import { createHash, timingSafeEqual } from 'node:crypto';
import type Provider from 'oidc-provider';
import { verifySecret } from '../secrets/scrypt-hash.js';

/**
 * Confidential clients are registered with their PHC scrypt hash in place of
 * `client_secret`, and oidc-provider's secret comparison is replaced by a
 * hash check. A secret that verified once is remembered as its SHA-256
 * digest in memory, so a service account's next token request costs one
 * hash instead of one scrypt (client secrets are high-entropy, and the slow
 * hash is what protects the config file at rest).
 */
export function useHashedClientSecrets(provider: Provider): void {
  const verified = new Map<string, Buffer>();
  const digest = (secret: string) => createHash('sha256').update(secret).digest();

  const prototype = provider.Client.prototype as unknown as {
    clientSecret?: string;
    compareClientSecret(this: { clientSecret?: string }, actual: string): Promise<boolean>;
  };
  prototype.compareClientSecret = async function compareClientSecret(actual) {
    const phc = this.clientSecret;
    if (typeof phc !== 'string' || typeof actual !== 'string') return false;
    const known = verified.get(phc);
    if (known) return timingSafeEqual(known, digest(actual));
    if (!(await verifySecret(actual, phc))) return false;
    verified.set(phc, digest(actual));
    return true;
  };
}
