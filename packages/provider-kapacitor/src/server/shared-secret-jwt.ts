import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Shared-secret JWTs as Kapacitor checks them: golang-jwt/jwt v4.5.2's
 * `jwt.Parse` with a key function that accepts HMAC only
 * (`services/httpd/handler.go`). The order and the messages are the library's,
 * because clients see them in the 401 body: segments, header and claims
 * decoding, the algorithm, the signature, then `exp`, `iat`, `nbf` (no leeway,
 * whole seconds, the last failing check names the error).
 * https://github.com/golang-jwt/jwt/blob/v4.5.2/parser.go
 */

const HMAC_HASH: Readonly<Record<string, string>> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };
/** Every algorithm golang-jwt v4 registers: a known non-HMAC one reaches the key function and is refused there by name. */
const KNOWN_ALGS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'none']);

export type JwtOutcome = { readonly claims: Readonly<Record<string, unknown>> } | { readonly error: string };

/** `now` is epoch milliseconds. */
export function verifySharedSecretJwt(token: string, secret: string, now: number): JwtOutcome {
  const parts = token.split('.');
  if (parts.length !== 3) return { error: 'token contains an invalid number of segments' };
  const [encodedHeader = '', encodedClaims = '', encodedSignature = ''] = parts;

  const headerBytes = decodeSegment(encodedHeader);
  if ('error' in headerBytes) {
    return token.toLowerCase().startsWith('bearer ') ? { error: "tokenstring should not contain 'bearer '" } : headerBytes;
  }
  const header = decodeJson(headerBytes.bytes, 'header');
  if ('error' in header) return header;
  const claimBytes = decodeSegment(encodedClaims);
  if ('error' in claimBytes) return claimBytes;
  const claims = decodeJson(claimBytes.bytes, 'claims');
  if ('error' in claims) return claims;

  const alg = header.value?.alg;
  if (typeof alg !== 'string') return { error: 'signing method (alg) is unspecified.' };
  const hash = HMAC_HASH[alg];
  if (hash === undefined) {
    return KNOWN_ALGS.has(alg) ? { error: `unexpected signing method: ${alg}` } : { error: 'signing method (alg) is unavailable.' };
  }

  const signature = decodeSegment(encodedSignature);
  if ('error' in signature) return signature;
  const expected = createHmac(hash, secret).update(`${encodedHeader}.${encodedClaims}`).digest();
  if (signature.bytes.length !== expected.length || !timingSafeEqual(signature.bytes, expected)) {
    return { error: 'signature is invalid' };
  }

  const values = claims.value ?? {};
  const seconds = Math.floor(now / 1000);
  let error: string | undefined;
  if (!timeClaimHolds(values, 'exp', (t) => seconds < t)) error = 'Token is expired';
  if (!timeClaimHolds(values, 'iat', (t) => seconds >= t)) error = 'Token used before issued';
  if (!timeClaimHolds(values, 'nbf', (t) => seconds >= t)) error = 'Token is not valid yet';
  return error === undefined ? { claims: values } : { error };
}

/** Signs `{username, exp}` (HS256) for an upstream that trusts the same shared secret. */
export function signSharedSecretJwt(claims: Readonly<Record<string, unknown>>, secret: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

/** MapClaims.Verify*: absent or 0 passes; a number is rounded down to whole seconds; anything else (a string `exp`) fails. */
function timeClaimHolds(claims: Readonly<Record<string, unknown>>, name: string, holds: (t: number) => boolean): boolean {
  if (!(name in claims)) return true;
  const value = claims[name];
  if (typeof value !== 'number') return false;
  if (value === 0) return true;
  return holds(Math.floor(value));
}

const RAW_URL_BASE64 = /^[A-Za-z0-9_-]*$/;

/** base64.RawURLEncoding.DecodeString: no padding, URL alphabet, Go's error text on the first bad byte. */
function decodeSegment(segment: string): { bytes: Buffer } | { error: string } {
  if (!RAW_URL_BASE64.test(segment)) {
    const chars = [...segment];
    const at = chars.findIndex((c) => !/[A-Za-z0-9_-]/.test(c));
    return { error: `illegal base64 data at input byte ${Buffer.byteLength(chars.slice(0, at).join(''))}` };
  }
  if (segment.length % 4 === 1) return { error: `illegal base64 data at input byte ${segment.length - 1}` };
  return { bytes: Buffer.from(segment, 'base64url') };
}

/** A header or claims object; `null` decodes to nothing, as with Go's map decoding. Go's own JSON error texts are not reproduced. */
function decodeJson(bytes: Buffer, part: 'header' | 'claims'): { value: Record<string, unknown> | null } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { error: `malformed JSON in token ${part}` };
  }
  if (value === null) return { value: null };
  if (typeof value !== 'object' || Array.isArray(value)) {
    const kind = Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value;
    const target = part === 'header' ? 'map[string]interface {}' : 'jwt.MapClaims';
    return { error: `json: cannot unmarshal ${kind} into Go value of type ${target}` };
  }
  return { value: value as Record<string, unknown> };
}
