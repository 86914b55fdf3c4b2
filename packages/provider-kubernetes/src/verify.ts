import type { VerifyCapability } from '@auth/core/provider';
import { loginJwt } from '@auth/core/verify';
import type { Agent } from 'undici';
import { kubernetesBinding, type KubernetesBinding } from './binding.js';
import { clusterIo } from './cluster-io.js';
import { offlineJwks, type OfflineCaches } from './offline-jwks.js';
import { tokenReview } from './token-review.js';

/**
 * Infisical's `kubernetes-auth` login: the API server's TokenReview (or, in
 * `jwks` mode, the issuer's keys) decides whether the token holds; the bound
 * audience must be the one it was minted for; the service account must be in
 * the allowed namespaces and names.
 */
export function createKubernetesVerify(): VerifyCapability<KubernetesBinding> {
  const agents = new Map<string, Agent>();
  const caches: OfflineCaches = { keySets: new Map(), discovery: new Map() };
  return {
    specificationVersion: 'v1',
    loginMethods: ['kubernetes-auth'],
    bindingSchema: () => kubernetesBinding,
    async verify({ body, binding, io, now }) {
      const { jwt } = loginJwt(body, 'send {"identityId", "jwt"} with the pod\'s service account token');
      const cluster = clusterIo(io, binding.ca_cert, agents);
      return binding.mode === 'jwks' ? offlineJwks(jwt, binding, cluster, now(), caches) : tokenReview(jwt, binding, cluster);
    },
  };
}

