import type { VerifyRequest } from '../contracts/machine-identity.js';
import { AuthError } from '../errors.js';
import { platformFetch } from '../http/platform-fetch.js';
import { createRemoteJWKSet, customFetch, jwksCache, type JWKSCacheInput } from 'jose';

const HINT = 'check the jwks_url of the identity, or the network path to it';

/**
 * A JSON Web Key Set fetched through the request's bounded fetch and signal,
 * with jose's cache (10 min, at most one refetch per 30 s for an unknown
 * `kid`) kept across logins per URL.
 */
export function remoteJwks(url: string, io: VerifyRequest['io'], caches: Map<string, JWKSCacheInput>) {
  let cache = caches.get(url);
  if (cache === undefined) {
    cache = {};
    caches.set(url, cache);
  }
  return createRemoteJWKSet(new URL(url), {
    timeoutDuration: io.timeoutMs,
    [jwksCache]: cache,
    [customFetch]: (target, init) => platformFetch(io, target, init, 'the signing keys', HINT),
  });
}

/** A verification that failed for want of keys: the platform's failure (503), not the caller's. Undefined for a token that does not verify. */
export function jwksFailure(error: unknown, url: string): AuthError | undefined {
  if (AuthError.is(error)) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_JWKS_TIMEOUT') return new AuthError('TIMEOUT', `No answer from the signing keys at ${url}`, { url, hint: HINT, cause: error });
  if (code === 'ERR_JWKS_INVALID' || code === 'ERR_JOSE_GENERIC') {
    return new AuthError('NETWORK', `The signing keys at ${url} could not be read: ${(error as Error).message}`, { url, hint: HINT, cause: error });
  }
  return undefined;
}
