import { createPublicKey } from 'node:crypto';
import { isLoopbackHost } from '@auth/core/provider';
import { JWS_ALGORITHMS } from '@auth/core/verify';
import { z } from 'zod';

/**
 * What an auth-server identity binds `oidc-auth` and `jwt-auth` to (the
 * keys of `[identities.methods.oidc-auth]` / `[identities.methods.jwt-auth]`),
 * after Vault's JWT auth roles (`bound_issuer`, `bound_audiences`,
 * `bound_subject`, `bound_claims`, `jwt_supported_algs`) and Infisical's
 * OIDC and JWT auth configurations.
 */

/** Asymmetric JWS algorithms only (RFC 7518 §3.1; RFC 8037): a shared-secret HS* token proves nothing about its issuer. */
export const ASYMMETRIC_ALGORITHMS = JWS_ALGORITHMS;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).refine((value) => new URL(value).hash === '', { error: 'must not have a #fragment' });

const publicKeyPem = z.string().refine(isPublicKey, { error: 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)' });

function isPublicKey(pem: string): boolean {
  try {
    return createPublicKey(pem).type === 'public';
  } catch {
    return false;
  }
}

const claimValue = z.union([z.string(), z.number(), z.boolean()]);

const common = {
  /** The exact `iss` the tokens must carry. */
  bound_issuer: z.string().min(1, { error: 'must not be empty' }),
  /** Any one is enough. A token with an `aud` is refused when none is bound (CVE-2024-5798). */
  bound_audiences: z.union([z.string().min(1), z.array(z.string().min(1))]).transform((value) => (typeof value === 'string' ? [value] : value)).optional(),
  /** The exact `sub`. */
  bound_subject: z.string().min(1).optional(),
  /** Claim name (or dot path, or JSON pointer starting with `/`) → the allowed value or values; every key must match. */
  bound_claims: z.record(z.string().min(1), z.union([claimValue, z.array(claimValue).min(1)])).optional(),
  /** The JWS algorithms accepted (default: every asymmetric one). */
  algorithms: z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1).optional(),
  /** Tolerated clock difference for `exp`, `nbf` and `iat`, in seconds (default 60, go-jose's). */
  clock_skew_seconds: z.number().int().min(0).max(300).default(60),
  /** Accept `http://` key URLs on hosts other than loopback. */
  allow_http: z.boolean().default(false),
};

function plainHttpAllowed(binding: { allow_http: boolean }, url: string | undefined): boolean {
  if (url === undefined || binding.allow_http) return true;
  const parsed = new URL(url);
  return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname));
}

export const oidcAuthBindingSchema = z
  .strictObject({
    /** The issuer URL: its `/.well-known/openid-configuration` names the JWKS, and its `issuer` must be this URL. */
    oidc_discovery_url: httpUrl,
    ...common,
  })
  .refine((binding) => plainHttpAllowed(binding, binding.oidc_discovery_url), {
    path: ['oidc_discovery_url'],
    error: 'must be https:// unless the host is loopback (or set allow_http = true)',
  });

export const jwtAuthBindingSchema = z
  .strictObject({
    /** Where the signing keys are published (a JWKS). */
    jwks_url: httpUrl.optional(),
    /** Or the keys themselves, as PEM public keys (Vault's jwt_validation_pubkeys); any that verifies is enough. */
    public_keys: z.array(publicKeyPem).min(1).optional(),
    ...common,
  })
  .superRefine((binding, ctx) => {
    if ((binding.jwks_url === undefined) === (binding.public_keys === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['jwks_url'], message: 'set exactly one of jwks_url and public_keys' });
    }
    if (!plainHttpAllowed(binding, binding.jwks_url)) {
      ctx.addIssue({ code: 'custom', path: ['jwks_url'], message: 'must be https:// unless the host is loopback (or set allow_http = true)' });
    }
  });

export type OidcAuthBinding = z.output<typeof oidcAuthBindingSchema>;
export type JwtAuthBinding = z.output<typeof jwtAuthBindingSchema>;
export type FederatedJwtBinding = OidcAuthBinding | JwtAuthBinding;
