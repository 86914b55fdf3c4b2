import type { VerifyRequest } from '@auth/core';
import { platformFetch } from './platform-fetch.js';
import { createRemoteJWKSet, customFetch, jwksCache, type JWKSCacheInput } from 'jose';

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
    [customFetch]: (target, init) => platformFetch(io, target, init, 'the signing keys', 'check the jwks_url of the identity, or the network path to it'),
  });
}
