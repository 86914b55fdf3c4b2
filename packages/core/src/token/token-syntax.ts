/**
 * What a token and its type may look like once printed in an
 * `Authorization: <type> <token>` header. Anything else (CR, LF, a space)
 * would inject text of the IdP's choosing into the requests of whoever uses
 * the line. Kept free of imports: the `print-token` hot path checks cached
 * tokens with it.
 */

/** RFC 6750 §2.1 `b64token`: the characters of a Bearer credential. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** RFC 9110 §5.6.2 `token`: the characters of an authentication scheme. */
const SCHEME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isB64Token(value: string): boolean {
  return B64TOKEN.test(value);
}

export function isAuthScheme(value: string): boolean {
  return SCHEME.test(value);
}
