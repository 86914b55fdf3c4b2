import { AuthError } from '@auth/core';
import { errors, jwtVerify, type CryptoKey, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { LoginJwt } from '@auth/core/verify';

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

/** Signature, `exp`, `nbf` and the options' claims, at the request's clock; every failure is a denial naming why. */
export async function verifiedClaims(token: LoginJwt, key: CryptoKey, now: number, options: JWTVerifyOptions): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token.jwt, key, {
      ...options,
      algorithms: ['RS256'],
      currentDate: new Date(now * 1000),
      clockTolerance: CLOCK_SKEW,
      requiredClaims: ['exp', ...(options.requiredClaims ?? [])],
    });
    return payload;
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) throw denied(`the signature does not verify with key ${token.header.kid}`, error);
    if (error instanceof errors.JWTExpired) throw denied(`the JWT has expired (${error.claim} check failed)`, error);
    if (error instanceof errors.JWTClaimValidationFailed) throw denied(`claim "${error.claim}" is not acceptable: ${error.message}`, error);
    throw denied('the JWT does not verify', error);
  }
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
