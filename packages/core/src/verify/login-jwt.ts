import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { AuthError } from '../errors.js';

/** Far above any platform token a login carries (a few KiB at most); a bigger one is not worth decoding. */
const MAX_JWT_LENGTH = 16 * 1024;

export interface LoginJwt {
  jwt: string;
  /** Decoded, not yet verified. */
  header: ProtectedHeaderParameters;
  /** Decoded, not yet verified. */
  claims: JWTPayload;
}

/**
 * The `jwt` of a machine-identity login body (`{identityId, jwt}`), decoded
 * but not verified. Missing, not a string, too long or not a compact JWS is a
 * malformed request: USAGE (400), with `hint` saying what to send.
 */
export function loginJwt(body: Readonly<Record<string, unknown>>, hint: string): LoginJwt {
  const jwt = typeof body.jwt === 'string' ? body.jwt.trim() : '';
  if (jwt === '') throw new AuthError('USAGE', 'The login request has no "jwt" string', { hint });
  if (jwt.length > MAX_JWT_LENGTH) throw new AuthError('USAGE', `The login request's "jwt" is longer than ${MAX_JWT_LENGTH} characters`, { hint });
  try {
    return { jwt, header: decodeProtectedHeader(jwt), claims: decodeJwt(jwt) };
  } catch (cause) {
    throw new AuthError('USAGE', 'The login request\'s "jwt" is not a compact JWS (header.payload.signature, base64url JSON)', { hint, cause });
  }
}
