import type * as oauth from 'oauth4webapi';
import type { TokenSet } from '../token-set.js';

/** Lifetime assumed when the server states none and the token is not a JWT. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 300;

/**
 * A token endpoint response as stored: `expires_at` from `expires_in`, else
 * from the access token's own `exp` when it is a JWT, else a short default,
 * so an unknown lifetime never looks fresh for long.
 */
export function toTokenSet(response: oauth.TokenEndpointResponse, now: number = Math.floor(Date.now() / 1000)): TokenSet {
  const expiresIn = response.expires_in;
  const exp = jwtClaims(response.access_token)?.exp;
  const expires_at =
    typeof expiresIn === 'number'
      ? now + Math.floor(expiresIn)
      : typeof exp === 'number' && Number.isFinite(exp)
        ? Math.floor(exp)
        : now + DEFAULT_TOKEN_LIFETIME_SECONDS;
  return {
    access_token: response.access_token,
    // RFC 6750 spells the scheme `Bearer`; oauth4webapi lower-cases it.
    token_type: response.token_type === 'bearer' ? 'Bearer' : response.token_type,
    expires_at,
    issued_at: now,
    ...(response.refresh_token === undefined ? {} : { refresh_token: response.refresh_token }),
    ...(response.id_token === undefined ? {} : { id_token: response.id_token }),
    ...(response.scope === undefined ? {} : { scope: response.scope }),
  };
}

/**
 * The payload of a JWT, decoded without verifying it: only used to read
 * `exp` and `sub` of tokens that came straight from the token endpoint.
 * No JOSE library: this must stay cheap.
 */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Who the tokens are for: the ID token's `sub`, else a JWT access token's. */
export function tokenSubject(tokens: TokenSet): string | undefined {
  for (const token of [tokens.id_token, tokens.access_token]) {
    const sub = token === undefined ? undefined : jwtClaims(token)?.sub;
    if (typeof sub === 'string' && sub !== '') return sub;
  }
  return undefined;
}
