import { AuthError, toAuthError, type ProviderIO } from '@auth/core';
import { importJWK, importX509, type CryptoKey, type JWK } from 'jose';

type KeyIO = Pick<ProviderIO, 'fetch' | 'signal' | 'timeoutMs'>;

/** How a key endpoint writes its keys: a JWKS (`/oauth2/v3/certs`) or a map of key id to PEM certificate (`/metadata/x509/{email}`). */
export type KeyFormat = 'jwks' | 'x509';

interface KeySet {
  keys: ReadonlyMap<string, CryptoKey>;
  fetchedAt: number;
  maxAge: number;
}

/** Used when an answer carries no `max-age`; Google's carry several hours. */
const DEFAULT_MAX_AGE = 300;
/** A longer `max-age` is not trusted: a revoked key must not outlive this. */
const MAX_MAX_AGE = 6 * 3600;
/** An unknown key id refetches a set at most this often, so forged key ids cannot make every login a fetch. */
const REFETCH_COOLDOWN = 30;
/** Per-account sets are keyed by an untrusted `sub`: the cache holds at most this many. */
const MAX_SETS = 256;

/**
 * Public keys by URL and key id, kept for the answer's `max-age`: a new key
 * id refetches the set (Google rotates its keys), at most once per cooldown.
 * When the endpoint cannot be reached, the last keys fetched are used.
 * Time comes from the verify request's clock.
 */
export class KeySets {
  readonly #sets = new Map<string, KeySet>();
  readonly #pending = new Map<string, Promise<KeySet>>();

  async key(url: string, format: KeyFormat, kid: string, io: KeyIO, now: number): Promise<CryptoKey | undefined> {
    const cached = this.#sets.get(url);
    const fresh = cached !== undefined && now < cached.fetchedAt + cached.maxAge;
    if (cached !== undefined && (cached.keys.has(kid) ? fresh : now < cached.fetchedAt + REFETCH_COOLDOWN)) return cached.keys.get(kid);
    try {
      return (await this.#refetch(url, format, io, now)).keys.get(kid);
    } catch (error) {
      if (cached !== undefined && AuthError.is(error) && (error.code === 'NETWORK' || error.code === 'TIMEOUT')) return cached.keys.get(kid);
      throw error;
    }
  }

  #refetch(url: string, format: KeyFormat, io: KeyIO, now: number): Promise<KeySet> {
    let pending = this.#pending.get(url);
    if (pending === undefined) {
      pending = fetchKeySet(url, format, io, now)
        .then((set) => {
          this.#sets.delete(url);
          this.#sets.set(url, set);
          if (this.#sets.size > MAX_SETS) this.#sets.delete(this.#sets.keys().next().value!);
          return set;
        })
        .finally(() => this.#pending.delete(url));
      this.#pending.set(url, pending);
    }
    return pending;
  }
}

async function fetchKeySet(url: string, format: KeyFormat, io: KeyIO, now: number): Promise<KeySet> {
  let response: Response;
  try {
    response = await io.fetch(url, { headers: { accept: 'application/json' }, signal: io.signal, redirect: 'error' });
  } catch (error) {
    throw toAuthError(error, { url, timeoutMs: io.timeoutMs });
  }
  const maxAge = cacheMaxAge(response.headers.get('cache-control'));
  // Google answers 404 for an account that does not exist: no keys, so no token of it verifies.
  if (response.status === 404) return { keys: new Map(), fetchedAt: now, maxAge: REFETCH_COOLDOWN };
  if (response.status >= 500) throw new AuthError('NETWORK', `${url} answered ${response.status}: cannot fetch Google's public keys`, { url, status: response.status });
  let body: unknown;
  try {
    body = response.status === 200 ? await response.json() : undefined;
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null) {
    throw new AuthError('PROTOCOL', `${url} answered ${response.status} without a key set`, {
      url,
      status: response.status,
      hint: 'check the key URL of the identity\'s gcp-auth binding',
    });
  }
  return { keys: await (format === 'jwks' ? jwksKeys(body) : x509Keys(body)), fetchedAt: now, maxAge };
}

async function jwksKeys(body: object): Promise<Map<string, CryptoKey>> {
  const keys = new Map<string, CryptoKey>();
  const list = (body as { keys?: unknown }).keys;
  for (const jwk of Array.isArray(list) ? (list as JWK[]) : []) {
    if (jwk.kty !== 'RSA' || typeof jwk.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
    keys.set(jwk.kid, (await importJWK({ ...jwk, alg: 'RS256' }, 'RS256')) as CryptoKey);
  }
  return keys;
}

async function x509Keys(body: object): Promise<Map<string, CryptoKey>> {
  const keys = new Map<string, CryptoKey>();
  for (const [kid, pem] of Object.entries(body)) {
    if (typeof pem !== 'string') continue;
    // A certificate that is not RSA cannot have signed an RS256 token: it is skipped, not fatal.
    const key = await importX509(pem, 'RS256').catch(() => undefined);
    if (key !== undefined) keys.set(kid, key);
  }
  return keys;
}

function cacheMaxAge(cacheControl: string | null): number {
  const match = /(?:^|,)\s*max-age=(\d+)/i.exec(cacheControl ?? '');
  return match ? Math.min(Number(match[1]), MAX_MAX_AGE) : DEFAULT_MAX_AGE;
}
