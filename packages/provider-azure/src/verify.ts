import { AuthError, type VerifyCapability } from '@auth/core/provider';
import { JwksCache, JwtVerifier, loginJwt } from '@auth/core/verify';
import type { JWTPayload } from 'jose';
import { azureBinding, type AzureBinding } from './binding.js';

/**
 * Infisical's `azure-auth` login, with Vault's lessons (CVE-2025-3879): the
 * token is checked against the tenant's keys, issuer, `aud` and `tid`, its
 * `oid` against a non-empty allowlist, and the machine's resource is read from
 * the signed `xms_mirid` / `xms_az_rid` claims only, never from request fields.
 */
export function createAzureVerify(): VerifyCapability<AzureBinding> {
  const keySets = new Map<string, JwksCache>();
  return {
    specificationVersion: 'v1',
    loginMethods: ['azure-auth'],
    bindingSchema: () => azureBinding,
    async verify({ body, binding, io, now }) {
      const { jwt } = loginJwt(body, 'send {"identityId", "jwt"} with the managed identity\'s access token');
      const tenant = binding.tenant_id.toLowerCase();
      const jwksUrl = binding.jwks_url ?? `https://login.microsoftonline.com/${tenant}/discovery/keys`;
      const issuers = binding.issuer !== undefined ? [binding.issuer] : [`https://sts.windows.net/${tenant}/`, `https://login.microsoftonline.com/${tenant}/v2.0`];
      let keys = keySets.get(jwksUrl);
      if (keys === undefined) keySets.set(jwksUrl, (keys = new JwksCache({ url: jwksUrl, hint: 'check the jwks_url of the identity, or the network path to it' })));
      const verifier = new JwtVerifier({ keys, algorithms: ['RS256'], issuer: issuers, clockToleranceSeconds: 0, requiredClaims: ['exp', 'aud', 'tid', 'oid'] });
      let claims: JWTPayload;
      try {
        ({ claims } = await verifier.verify(jwt, now() * 1000, io));
      } catch (error) {
        // A refusal is the caller's; NETWORK/TIMEOUT/PROTOCOL for the keys are the platform's (503).
        if (AuthError.is(error) && error.code === 'ACCESS_DENIED') denied(error.message, error);
        throw error;
      }
      if (!audienceMatches(claims.aud, binding.resource)) denied(`aud ${JSON.stringify(claims.aud)} is not the bound resource ${binding.resource}`);
      const { tid, oid } = claims as { tid: unknown; oid: unknown };
      if (typeof tid !== 'string' || tid.toLowerCase() !== tenant) denied(`tid ${String(tid)} is not the bound tenant ${tenant}`);
      if (typeof oid !== 'string' || !binding.allowed_service_principal_ids.some((id) => sameId(id, oid))) {
        denied(`service principal ${String(oid)} is not in allowed_service_principal_ids`);
      }
      const resources = [claims.xms_mirid, claims.xms_az_rid].filter((value): value is string => typeof value === 'string');
      if (binding.allowed_resource_ids !== undefined && !resources.some((rid) => binding.allowed_resource_ids!.some((allowed) => sameId(allowed, rid)))) {
        denied(resources.length === 0 ? 'the token names no resource (xms_mirid, xms_az_rid) and allowed_resource_ids is bound' : `resource ${resources.join(', ')} is not in allowed_resource_ids`);
      }
      return {
        subject: oid as string,
        issuer: String(claims.iss),
        provider: 'azure',
        claims: pick(claims, ['tid', 'oid', 'appid', 'azp', 'xms_mirid', 'xms_az_rid', 'aud', 'exp']),
        permissions: [],
      };
    },
  };
}

/** Infisical's comparison: `aud` may lack the trailing "/" the bound resource has, or the other way round. */
function audienceMatches(aud: JWTPayload['aud'], resource: string): boolean {
  const wanted = resource.replace(/\/+$/, '');
  return (typeof aud === 'string' ? [aud] : (aud ?? [])).some((value) => value.replace(/\/+$/, '') === wanted);
}

/** Object ids and ARM resource ids compare without regard to case. */
function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}


function denied(reason: string, cause?: unknown): never {
  throw new AuthError('ACCESS_DENIED', `Azure login refused: ${reason}`, cause === undefined ? {} : { cause });
}

function pick(claims: JWTPayload, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((name) => claims[name] !== undefined).map((name) => [name, claims[name]]));
}
