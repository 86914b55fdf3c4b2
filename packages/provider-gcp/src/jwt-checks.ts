import type { KeyObject } from 'node:crypto';
import { AuthError } from '@auth/core/provider';
import { JwtVerifier, type LoginJwt } from '@auth/core/verify';
import type { JWTPayload } from 'jose';

/** Clock skew tolerated between the login API and Google. */
export const CLOCK_SKEW = 60;

export function denied(message: string, cause?: unknown): AuthError {
  return new AuthError('ACCESS_DENIED', `gcp-auth login: ${message}`, cause === undefined ? {} : { cause });
}

/** RS256 only, and a key id to find the key by: Google signs nothing else. */
export function signingKeyId(token: LoginJwt): string {
  if (token.header.alg !== 'RS256') throw denied(`the JWT is signed with ${JSON.stringify(token.header.alg)}; only RS256 is accepted`);
  if (typeof token.header.kid !== 'string' || token.header.kid === '') throw denied('the JWT header has no "kid"');
  return token.header.kid;
}

export interface ClaimChecks {
  /** Any of these `iss` values. */
  issuer?: string[];
  /** The exact `sub`. */
  subject?: string;
  /** `iat` required, and at most this many seconds ago. */
  maxTokenAge?: number;
}

/** Signature (RS256), `exp`, `nbf`, `iat` and `checks`, at the request's clock; every failure is a denial naming why. */
export async function verifiedClaims(token: LoginJwt, key: KeyObject, now: number, checks: ClaimChecks): Promise<JWTPayload> {
  const verifier = new JwtVerifier({
    keys: [key],
    algorithms: ['RS256'],
    ...(checks.issuer === undefined ? {} : { issuer: checks.issuer }),
    clockToleranceSeconds: CLOCK_SKEW,
    requiredClaims: checks.maxTokenAge === undefined ? ['exp'] : ['exp', 'iat'],
  });
  let claims: JWTPayload;
  try {
    ({ claims } = await verifier.verify(token.jwt, now * 1000));
  } catch (error) {
    if (AuthError.is(error) && error.code === 'ACCESS_DENIED') throw denied(`${error.message} (key ${token.header.kid})`, error);
    throw error;
  }
  if (checks.subject !== undefined && claims.sub !== checks.subject) throw denied(`claim "sub" ${JSON.stringify(claims.sub ?? null)} is not ${checks.subject}`);
  if (checks.maxTokenAge !== undefined && now - (claims.iat as number) > checks.maxTokenAge + CLOCK_SKEW) {
    throw denied(`claim "iat": the JWT was issued more than ${checks.maxTokenAge} s ago`);
  }
  return claims;
}

/**
 * `aud` must be the machine identity's id: a string, or a list whose every
 * entry is it (CVE-2024-5798: a string `aud` must not slip past a check
 * written for lists).
 */
export function requireAudience(claims: JWTPayload, identityId: string): void {
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  if (audiences.length === 0 || audiences.some((audience) => audience !== identityId)) {
    throw denied(`the JWT's audience ${JSON.stringify(claims.aud)} is not the identity ${JSON.stringify(identityId)}`);
  }
}

/** The token may not outlive `maxLifetime` seconds from now (plus skew). */
export function requireLifetimeWithin(claims: JWTPayload, now: number, maxLifetime: number, why: string): void {
  if (typeof claims.exp !== 'number' || claims.exp - now > maxLifetime + CLOCK_SKEW) {
    throw denied(`the JWT expires ${typeof claims.exp === 'number' ? claims.exp - now : '?'} s from now; ${why}`);
  }
}

export function requireListed(value: string | undefined, allowed: readonly string[] | undefined, what: string, key: string): void {
  if (allowed === undefined) return;
  if (value === undefined || !allowed.includes(value)) throw denied(`${what} ${JSON.stringify(value ?? null)} is not in ${key}`);
}
