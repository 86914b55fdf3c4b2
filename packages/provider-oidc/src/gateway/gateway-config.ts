import { isLoopbackHost } from '@auth/core/provider';
import { JWS_ALGORITHMS } from '@auth/core/verify';
import { z } from 'zod';

/**
 * A gateway route's `auth` table for bearer JWTs, in InfluxDB Clustered's
 * admin model (https://docs.influxdata.com/influxdb3/clustered/install/secure-cluster/auth/):
 * `identityProvider`, `jwksEndpoint` and `users` as in the AppInstance's
 * `spec.package.spec.admin`, plus checks Clustered does not document.
 */

/** "Note for Azure Active Directory it must be exactly 'azure'": near misses would silently match `sub` instead of `oid`. */
const AZURE_NEAR_MISS = /^(azure|azure[-_ ]?ad|aad|entra|entra[-_ ]?id|microsoft)$/i;

const nonEmpty = z.string().trim().min(1, { error: 'must not be empty' });
const oneOrMany = z.union([nonEmpty, z.array(nonEmpty).min(1)]).transform((value) => (typeof value === 'string' ? [value] : value));

export const bearerGatewayConfig = z
  .strictObject({
    /** `keycloak`, `auth0`, `azure` (exactly, for Microsoft Entra ID: users are then matched by `oid`), or any other IdP's name. */
    identityProvider: nonEmpty.refine((name) => name === 'azure' || !AZURE_NEAR_MISS.test(name), {
      error: 'for Microsoft Entra ID (Azure Active Directory) it must be exactly "azure"',
    }),
    /** The IdP's JWKS URL, or its OpenID configuration (Auth0's documented example), whose `jwks_uri` is then followed. Clustered's YAML `|-` block may leave whitespace: trimmed. */
    jwksEndpoint: z
      .string()
      .trim()
      .pipe(z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })),
    /** The admins: `id` is the IdP's user id (`sub`; Entra's object id, `oid`, with `identityProvider = "azure"`); the other fields are required but free text, as in Clustered. */
    users: z
      .array(z.strictObject({ id: nonEmpty, firstName: nonEmpty, lastName: nonEmpty, email: nonEmpty }))
      .min(1, { error: 'must list at least one user' }),
    /** The `iss` a token must carry (one or a list). Clustered documents no issuer check: set it. */
    issuer: oneOrMany.optional(),
    /** One of these must be in the token's `aud`. Clustered documents no audience check: set it, or any token of the IdP for a listed user passes. */
    audience: oneOrMany.optional(),
    /** Accepted JWS algorithms (default: every asymmetric one; HS* and `none` never). */
    algorithms: z.array(z.enum(JWS_ALGORITHMS)).min(1).optional(),
    /** Tolerated clock difference for `exp`, `nbf` and `iat`, in seconds. */
    clockSkewSeconds: z.number().int().min(0).max(300).default(60),
    /** How long past its 10 minutes the last good key set serves while the IdP cannot be reached; then requests get 503. */
    maxStaleSeconds: z.number().int().min(0).max(24 * 3600).default(3600),
    /** Verified tokens remembered (by SHA-256) so a repeated token costs no signature check; 0 turns it off. */
    verificationCacheSize: z.number().int().min(0).max(1_000_000).default(10_000),
    /** Forward the client's `Authorization` header upstream (default: removed once consumed). */
    forwardAuthorization: z.boolean().default(false),
    /** The `realm` of the `WWW-Authenticate: Bearer` challenge. */
    realm: z.string().regex(/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/, { error: 'must be printable ASCII without quotes or backslashes' }).default('auth-server'),
    /** Accept a plain `http://` jwksEndpoint off loopback. */
    allowHttp: z.boolean().default(false),
  })
  .refine((config) => config.allowHttp || new URL(config.jwksEndpoint).protocol === 'https:' || isLoopbackHost(new URL(config.jwksEndpoint).hostname), {
    path: ['jwksEndpoint'],
    error: 'must be https:// unless the host is loopback (or set allowHttp = true)',
  });

export type BearerGatewayConfig = z.output<typeof bearerGatewayConfig>;
