import { AuthError, type VerifyCapability } from '@auth/core';
import { decodeJwt, decodeProtectedHeader, type JWKSCacheInput } from 'jose';
import type { Agent } from 'undici';
import { kubernetesBinding, type KubernetesBinding } from './binding.js';
import { clusterIo } from './cluster-io.js';
import { offlineJwks, type OfflineCaches } from './offline-jwks.js';
import { tokenReview } from './token-review.js';

/** Far above any service-account token; a bigger `jwt` is not one. */
const MAX_JWT_LENGTH = 16 * 1024;

/**
 * Infisical's `kubernetes-auth` login: the API server's TokenReview (or, in
 * `jwks` mode, the issuer's keys) decides whether the token holds; the bound
 * audience must be the one it was minted for; the service account must be in
 * the allowed namespaces and names.
 */
export function createKubernetesVerify(): VerifyCapability<KubernetesBinding> {
  const agents = new Map<string, Agent>();
  const caches: OfflineCaches = { keySets: new Map<string, JWKSCacheInput>(), discovery: new Map() };
  return {
    specificationVersion: 'v1',
    loginMethods: ['kubernetes-auth'],
    bindingSchema: () => kubernetesBinding,
    async verify({ body, binding, io, now }) {
      const jwt = tokenOf(body);
      const cluster = clusterIo(io, binding.ca_cert, agents);
      return binding.mode === 'jwks' ? offlineJwks(jwt, binding, cluster, now(), caches) : tokenReview(jwt, binding, cluster);
    },
  };
}

/** The request's `jwt`: present, a string, and shaped like a signed JWT; anything else is a malformed request. */
function tokenOf(body: Readonly<Record<string, unknown>>): string {
  const jwt = typeof body.jwt === 'string' ? body.jwt.trim() : '';
  if (jwt === '') throw new AuthError('USAGE', 'The login request has no jwt', { hint: 'send {"identityId", "jwt"} with the pod\'s service account token' });
  if (jwt.length > MAX_JWT_LENGTH) throw new AuthError('USAGE', `The login request's jwt is longer than ${MAX_JWT_LENGTH} characters`);
  try {
    decodeProtectedHeader(jwt);
    decodeJwt(jwt);
  } catch (cause) {
    throw new AuthError('USAGE', 'The login request\'s jwt is not a JSON Web Token', { hint: 'send the service account token file\'s content', cause });
  }
  return jwt;
}
