import { basicAuthorization } from '@auth/core/cached-token';

/** What `print-token` writes: the token alone, or an HTTP `Authorization` header line. */
export function tokenLine(token: { access_token: string; token_type: string }, header: boolean | undefined): string {
  if (!header) return `${token.access_token}\n`;
  // Token responses spell the type in any case (RFC 6749 §5.1); the header scheme is conventionally `Bearer`.
  const scheme = token.token_type.toLowerCase() === 'bearer' ? 'Bearer' : token.token_type;
  return `Authorization: ${scheme} ${token.access_token}\n`;
}

/** What `print-token --header` writes for Basic credentials (a username and password have no bare form worth printing). */
export function basicLine(credential: { username: string; password: string }): string {
  return `Authorization: ${basicAuthorization(credential)}\n`;
}
