import { X509Certificate, type KeyObject } from 'node:crypto';
import type { ProviderIO } from '@auth/core/provider';
import { JwksCache } from '@auth/core/verify';

type KeyIO = Pick<ProviderIO, 'fetch' | 'signal' | 'timeoutMs'>;

/** How a key endpoint writes its keys: a JWKS (`/oauth2/v3/certs`) or a map of key id to PEM certificate (`/metadata/x509/{email}`). */
export type KeyFormat = 'jwks' | 'x509';

/** Used when an answer carries no `max-age`; Google's carry several hours. */
const DEFAULT_MAX_AGE_MS = 300_000;
/** A longer `max-age` is not trusted: a revoked key must not outlive this. */
const MAX_MAX_AGE_MS = 6 * 3600_000;
/** Per-account sets are keyed by an untrusted `sub`: at most this many are kept. */
const MAX_SETS = 256;

/**
 * Public keys by URL and key id, in core's `JwksCache`s: kept for the
 * answer's `max-age` (at most 6 h), a new key id refetches the set (Google
 * rotates its keys) at most once per 30 s, the last keys serve for up to an
 * hour while the endpoint cannot be reached, and a 404 (a service account
 * that does not exist) is a set without keys. Time comes from the verify
 * request's clock (epoch seconds).
 */
export class KeySets {
  readonly #sets = new Map<string, JwksCache>();

  async key(url: string, format: KeyFormat, kid: string, io: KeyIO, now: number): Promise<KeyObject | undefined> {
    return (await this.#set(url, format).key(kid, io, now * 1000)) as KeyObject | undefined;
  }

  #set(url: string, format: KeyFormat): JwksCache {
    let set = this.#sets.get(url);
    if (set !== undefined) {
      this.#sets.delete(url);
    } else {
      set = new JwksCache({
        url,
        maxAgeMs: DEFAULT_MAX_AGE_MS,
        maxAgeFromCacheControlUpToMs: MAX_MAX_AGE_MS,
        notFoundIsEmpty: true,
        ...(format === 'x509' ? { parse: x509Keys } : {}),
        hint: 'check the key URL of the identity\'s gcp-auth binding, or the network path to Google',
      });
    }
    this.#sets.set(url, set);
    if (this.#sets.size > MAX_SETS) this.#sets.delete(this.#sets.keys().next().value!);
    return set;
  }
}

/** `{kid: PEM certificate}`; a certificate that is not RSA cannot have signed an RS256 token: skipped, not fatal. */
function x509Keys(body: unknown): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const [kid, pem] of Object.entries(typeof body === 'object' && body !== null ? body : {})) {
    if (typeof pem !== 'string') continue;
    try {
      const key = new X509Certificate(pem).publicKey;
      if (key.asymmetricKeyType === 'rsa') keys.set(kid, key);
    } catch {
      continue;
    }
  }
  return keys;
}
