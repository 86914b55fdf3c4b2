import type { TokenSet } from '@auth/core/provider';

/**
 * Token claims (https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference): `sub` is pairwise per app, `oid` is per tenant, so
 * the stable key of a person or service principal is `tid` + `oid`.
 */
export function entraSubject(tokens: Pick<TokenSet, 'access_token' | 'id_token'>): string | undefined {
  for (const token of [tokens.id_token, tokens.access_token]) {
    const claims = token === undefined ? undefined : payloadOf(token);
    if (typeof claims?.tid === 'string' && typeof claims.oid === 'string') return `${claims.tid}/${claims.oid}`;
  }
  return undefined;
}

/** The payload of a JWT from the token endpoint, unverified: only read for its identifiers. */
function payloadOf(token: string): Record<string, unknown> | undefined {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
