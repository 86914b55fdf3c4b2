import { AuthError } from '@auth/core/provider';
import { createRemoteJWKSet, customFetch, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { authorityOf, type EntraSettings } from './options.js';

const METADATA = z.object({ issuer: z.string(), jwks_uri: z.url() });

/** Multi-tenant metadata (https://learn.microsoft.com/en-us/entra/identity-platform/howto-convert-app-to-be-multi-tenant) names its issuer with this placeholder. */
export const TENANT_ID_TEMPLATE = '{tenantid}';

export interface VerifyEntraTokenOptions {
  settings: EntraSettings;
  /** The `aud` the token must carry (the API's application id or URI). */
  audience: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface EntraPrincipal {
  /** `{tid}/{oid}`: stable across apps (https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference). */
  subject: string;
  tenantId: string;
  objectId: string;
  claims: JWTPayload;
}

/**
 * Verifies an Entra v2.0 token: signature through the tenant's JWKS, `aud`,
 * and `iss` against the metadata issuer with `{tenantid}` replaced by the
 * token's `tid`, as Microsoft's AadIssuerValidator does.
 */
export async function verifyEntraToken(token: string, options: VerifyEntraTokenOptions): Promise<EntraPrincipal> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const signal = () => AbortSignal.any([options.signal ?? new AbortController().signal, AbortSignal.timeout(options.timeoutMs ?? 30_000)]);
  const metadataUrl = `${authorityOf(options.settings)}/v2.0/.well-known/openid-configuration`;
  // Multi-tenant metadata states `{tenantid}` as its issuer, so a discovery client's exact issuer check cannot apply.
  const response = await doFetch(metadataUrl, { signal: signal(), headers: { accept: 'application/json' } });
  const metadata = METADATA.safeParse(response.ok ? await response.json().catch(() => undefined) : undefined);
  if (!metadata.success) {
    throw new AuthError('PROTOCOL', `${metadataUrl} did not answer with OpenID metadata (HTTP ${response.status})`, {
      url: metadataUrl,
      status: response.status,
      hint: 'check tenant and authority_host in the profile',
    });
  }
  const jwks = createRemoteJWKSet(new URL(metadata.data.jwks_uri), {
    [customFetch]: (url: string, init: RequestInit) => doFetch(url, { ...init, signal: signal() }),
  });
  const { payload } = await jwtVerify(token, jwks, { audience: options.audience }).catch((cause: unknown) => {
    throw new AuthError('INVALID_CREDENTIALS', `The token is not a valid Entra token for ${options.audience}: ${(cause as Error).message}`, {
      hint: 'log in again to get a token for this audience',
      cause,
    });
  });
  const { tid, oid, iss } = payload as { tid?: unknown; oid?: unknown; iss?: unknown };
  if (typeof tid !== 'string' || typeof oid !== 'string') {
    throw new AuthError('INVALID_CREDENTIALS', 'The token carries no tid and oid claims', { hint: 'use a v2.0 token issued by Microsoft Entra ID' });
  }
  const expectedIssuer = metadata.data.issuer.replace(TENANT_ID_TEMPLATE, tid);
  if (iss !== expectedIssuer) {
    throw new AuthError('INVALID_CREDENTIALS', `The token's issuer ${String(iss)} is not ${expectedIssuer}`, {
      hint: 'the token was issued for another tenant or authority',
    });
  }
  return { subject: `${tid}/${oid}`, tenantId: tid, objectId: oid, claims: payload };
}
