import { AuthError, type Principal, type VerifyCapability, type VerifyRequest } from '@auth/core/provider';
import { JwtVerifier } from '@auth/core/verify';
import type { JWTPayload } from 'jose';
import type { ZodType } from 'zod';
import { ASYMMETRIC_ALGORITHMS, jwtAuthBindingSchema, oidcAuthBindingSchema, type FederatedJwtBinding } from './binding.js';
import { KeySources } from './key-sources.js';

/**
 * The server side of `oidc-auth` and `jwt-auth`: a JWT from a workload's
 * own IdP (a CI system, a cluster, a cloud) checked against an identity's
 * binding, after Vault's JWT auth (`vault-plugin-auth-jwt` path_login.go,
 * hashicorp/cap `jwt.Validator`) and its fixes:
 *
 * - only the binding's asymmetric algorithms verify (no `none`, no HS*);
 * - `iss` exactly `bound_issuer`, `exp` required, `nbf`/`iat` honoured,
 *   with `clock_skew_seconds` of tolerance;
 * - `aud` is a string or an array (RFC 7519 §4.1.3), normalised to a list:
 *   any bound audience must appear, and a token carrying an `aud` is refused
 *   when none is bound (CVE-2024-5798);
 * - `bound_subject` and `bound_claims` exactly;
 * - a claim named like a registered one under case folding (`Aud`, `ISS`)
 *   is refused, as cap's checkRegisteredClaimCollisions does, so that no
 *   consumer reads a different claim than the one checked.
 *
 * Every refusal is ACCESS_DENIED; its message says why, for the server log.
 */

export const FEDERATED_JWT_METHODS = ['oidc-auth', 'jwt-auth'] as const;

const REGISTERED_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti']);

export function createFederatedJwtVerifier(providerId: string): VerifyCapability {
  const sources = new KeySources();
  return {
    specificationVersion: 'v1',
    loginMethods: FEDERATED_JWT_METHODS,
    bindingSchema(loginMethod) {
      if (loginMethod === 'oidc-auth') return oidcAuthBindingSchema as unknown as ZodType<Record<string, unknown>>;
      if (loginMethod === 'jwt-auth') return jwtAuthBindingSchema as unknown as ZodType<Record<string, unknown>>;
      throw new AuthError('USAGE', `${providerId} does not verify ${loginMethod}`);
    },
    async verify(request: VerifyRequest): Promise<Principal> {
      const binding = request.binding as unknown as FederatedJwtBinding;
      const jwt = request.body['jwt'];
      if (typeof jwt !== 'string' || jwt.trim() === '') {
        throw new AuthError('USAGE', 'The field "jwt" is required and must be a non-empty string');
      }
      const now = request.now() * 1000;
      const verifier = new JwtVerifier({
        keys: await sources.keysFor(binding, request.io, now),
        issuer: binding.bound_issuer,
        algorithms: binding.algorithms ?? ASYMMETRIC_ALGORITHMS,
        clockToleranceSeconds: binding.clock_skew_seconds,
        requiredClaims: ['exp', 'sub'],
      });
      let payload: JWTPayload;
      try {
        payload = (await verifier.verify(jwt.trim(), now, request.io)).claims;
      } catch (error) {
        // A refusal is the caller's; NETWORK/TIMEOUT/PROTOCOL for the issuer's keys are the platform's (503).
        if (AuthError.is(error) && error.code === 'ACCESS_DENIED') throw new AuthError('ACCESS_DENIED', `token refused: ${error.message}`, { cause: error });
        throw error;
      }
      checkBinding(payload, binding);
      return {
        subject: payload.sub!,
        issuer: payload.iss!,
        provider: providerId,
        claims: payload,
        permissions: [],
      };
    },
  };
}

function checkBinding(payload: JWTPayload, binding: FederatedJwtBinding): void {
  const deny = (why: string): never => {
    throw new AuthError('ACCESS_DENIED', `token refused: ${why}`);
  };
  for (const name of Object.keys(payload)) {
    const folded = name.normalize('NFKC').toLowerCase();
    if (folded !== name && REGISTERED_CLAIMS.has(folded)) deny(`claim "${name}" collides with the registered claim "${folded}"`);
  }
  const audiences = normaliseAudience(payload.aud);
  if (audiences === undefined) deny('aud must be a string or an array of strings');
  const bound = binding.bound_audiences ?? [];
  if (bound.length === 0 && audiences!.length > 0) deny('audience claim found in JWT but no audiences bound to the identity');
  if (bound.length > 0 && !bound.some((audience) => audiences!.includes(audience))) deny(`aud ${JSON.stringify(payload.aud)} is not among bound_audiences`);
  if (binding.bound_subject !== undefined && payload.sub !== binding.bound_subject) deny('sub does not match bound_subject');
  for (const [path, expected] of Object.entries(binding.bound_claims ?? {})) {
    const actual = claimAt(payload, path);
    if (actual === undefined) deny(`claim "${path}" is missing`);
    const allowed = Array.isArray(expected) ? expected : [expected];
    const present = Array.isArray(actual) ? actual : [actual];
    if (!present.some((value) => allowed.some((wanted) => wanted === value))) deny(`claim "${path}" does not match bound_claims`);
  }
}

/** RFC 7519 §4.1.3: "aud" is one string or an array of strings; absent is an empty list. */
export function normaliseAudience(aud: unknown): string[] | undefined {
  if (aud === undefined) return [];
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud) && aud.every((value) => typeof value === 'string')) return aud;
  return undefined;
}

/** A claim by name, dot path (`repository.owner`) or JSON pointer (RFC 6901, `/repository/owner`). */
function claimAt(payload: JWTPayload, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  const parts = path.startsWith('/') ? path.slice(1).split('/').map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~')) : path.split('.');
  let value: unknown = payload;
  for (const part of parts) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
