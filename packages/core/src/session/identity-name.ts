import { jwtClaims } from '../flows/token-response.js';
import type { OAuthCredential } from '../token-set.js';

/** The name of a login nothing identifies (no ID token, no subject): all such logins are one identity. */
export const UNNAMED_IDENTITY = 'unnamed';

/** ID token claims that name a person, most readable first. */
const NAME_CLAIMS = ['preferred_username', 'email', 'sub'] as const;

/**
 * Who a stored login belongs to, as `authctl user list` shows it: the name
 * recorded at login; for a credential stored before identities existed, the
 * same rules: the ID token's `preferred_username`, `email` or `sub` (decoded
 * without verifying: an ID token is only kept once oauth4webapi has validated
 * it, see flows/token-grant.ts), the client id of a client-credentials login
 * (of a machine identity: its client id, else its identity id),
 * the token's subject, else `unnamed`.
 */
export function identityOf(credential: OAuthCredential): string {
  if (credential.identity !== undefined) return credential.identity;
  const claims = credential.tokens.id_token === undefined ? undefined : jwtClaims(credential.tokens.id_token);
  for (const claim of NAME_CLAIMS) {
    const value = claims?.[claim];
    if (isName(value)) return value;
  }
  if (credential.flow === 'client-credentials' || credential.flow === 'exchange') return credential.client_id;
  return isName(credential.subject) ? credential.subject : UNNAMED_IDENTITY;
}

/** A claim shown in terminals and used in store keys: no control characters, a sane length. */
function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 256 && !/\p{Cc}/u.test(value);
}
