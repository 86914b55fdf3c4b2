import { AuthError, platformFetch, type Principal, type VerifyRequest } from '@auth/core/provider';
import type { JWTPayload } from 'jose';
import { z } from 'zod';
import type { KubernetesBinding } from './binding.js';
import { denied } from './denied.js';
import { JwksCache, JwtVerifier, type JwsAlgorithm } from '@auth/core/verify';
import { parseServiceAccount, refusal, usernameOf } from './service-account.js';

const DISCOVERY = z.object({ issuer: z.string().min(1), jwks_uri: z.url() });
/** The algorithms the API server signs service-account tokens with (RSA or ECDSA keys). */
const ALGORITHMS: JwsAlgorithm[] = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

export interface OfflineCaches {
  keySets: Map<string, JwksCache>;
  discovery: Map<string, { issuer: string; jwksUrl: string; until: number }>;
}

/**
 * "Configure Service Accounts for Pods", service account issuer discovery:
 * the token is checked against the issuer's keys without asking the API
 * server, so a deleted pod or service account goes unnoticed until the token
 * expires (TokenReview mode notices).
 */
export async function offlineJwks(jwt: string, binding: KubernetesBinding, io: VerifyRequest['io'], now: number, caches: OfflineCaches): Promise<Principal> {
  const { issuer, jwksUrl } = await issuerOf(binding, io, now, caches.discovery);
  let keys = caches.keySets.get(jwksUrl);
  if (keys === undefined) caches.keySets.set(jwksUrl, (keys = new JwksCache({ url: jwksUrl, hint: 'check the jwks_url of the identity, or the network path to it' })));
  const verifier = new JwtVerifier({ keys, algorithms: ALGORITHMS, issuer, audience: binding.allowed_audience!, clockToleranceSeconds: 0, requiredClaims: ['exp', 'sub'] });
  let claims: JWTPayload;
  try {
    ({ claims } = await verifier.verify(jwt, now * 1000, io));
  } catch (error) {
    // A refusal is the caller's; NETWORK/TIMEOUT/PROTOCOL for the keys are the platform's (503).
    if (AuthError.is(error) && error.code === 'ACCESS_DENIED') denied(error.message, error);
    throw error;
  }
  const account = parseServiceAccount(claims.sub);
  if (account === undefined) denied(`the token's subject ${JSON.stringify(claims.sub)} is not a service account`);
  const bound = claims['kubernetes.io'] as { namespace?: unknown; serviceaccount?: { name?: unknown; uid?: unknown } } | undefined;
  if (bound !== undefined && (bound.namespace !== account.namespace || bound.serviceaccount?.name !== account.name)) {
    denied('the token\'s kubernetes.io claims name another service account than its subject');
  }
  const refused = refusal(account, binding);
  if (refused !== undefined) denied(refused);
  const uid = bound?.serviceaccount?.uid;
  return {
    subject: usernameOf(account),
    issuer: String(claims.iss),
    provider: 'kubernetes',
    claims: { namespace: account.namespace, name: account.name, ...(typeof uid === 'string' ? { uid } : {}), audiences: [binding.allowed_audience!] },
    permissions: [],
  };
}

/** The binding's issuer and keys, else the cluster's discovery document (kept 10 minutes). */
async function issuerOf(binding: KubernetesBinding, io: VerifyRequest['io'], now: number, cache: OfflineCaches['discovery']) {
  if (binding.issuer !== undefined && binding.jwks_url !== undefined) return { issuer: binding.issuer, jwksUrl: binding.jwks_url };
  const url = `${binding.kubernetes_host.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let known = cache.get(url);
  if (known === undefined || known.until <= now) {
    const response = await platformFetch(io, url, { headers: { accept: 'application/json' }, redirect: 'manual' }, 'the service account issuer discovery', 'check kubernetes_host and ca_cert of the identity');
    const document = DISCOVERY.safeParse(response.ok ? await response.json().catch(() => undefined) : undefined);
    if (!document.success) {
      throw new AuthError('NETWORK', `${url} did not answer with the issuer's discovery document (HTTP ${response.status})`, {
        url,
        status: response.status,
        hint: 'grant system:service-account-issuer-discovery to the caller, or set issuer and jwks_url on the identity',
      });
    }
    known = { issuer: document.data.issuer, jwksUrl: document.data.jwks_uri, until: now + 600 };
    cache.set(url, known);
  }
  return { issuer: binding.issuer ?? known.issuer, jwksUrl: binding.jwks_url ?? known.jwksUrl };
}
