import { AuthError } from '@auth/core';
import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';

/** Far above any Google ID token or signJwt result (about 1 KiB); a bigger one is not worth decoding. */
const MAX_JWT_LENGTH = 16 * 1024;

export interface LoginJwt {
  jwt: string;
  /** Decoded, not yet verified. */
  header: ProtectedHeaderParameters;
  /** Decoded, not yet verified. */
  claims: JWTPayload;
}

/** The `jwt` of a `gcp-auth` login body, decoded but not verified; a malformed body is a USAGE error (400). */
export function loginJwt(body: Readonly<Record<string, unknown>>): LoginJwt {
  const { jwt } = body;
  if (typeof jwt !== 'string' || jwt.length === 0) {
    throw new AuthError('USAGE', 'gcp-auth login: the body has no "jwt" string', { hint: 'send {"identityId": "...", "jwt": "<Google-signed or service-account-signed JWT>"}' });
  }
  if (jwt.length > MAX_JWT_LENGTH) throw new AuthError('USAGE', `gcp-auth login: "jwt" is longer than ${MAX_JWT_LENGTH} characters`);
  try {
    return { jwt, header: decodeProtectedHeader(jwt), claims: decodeJwt(jwt) };
  } catch (error) {
    throw new AuthError('USAGE', 'gcp-auth login: "jwt" is not a compact JWS (header.payload.signature, base64url JSON)', { cause: error });
  }
}
