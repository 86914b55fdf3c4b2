import { AuthError } from '../errors.js';

/** OpenSSL's verification failures that a trusted CA would cure. */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

/** Failures no CA setting cures: the server's certificate itself is wrong. */
const INVALID: Readonly<Record<string, string>> = {
  ERR_TLS_CERT_ALTNAME_INVALID: 'was not issued for this host name',
  CERT_HAS_EXPIRED: 'has expired',
  CERT_NOT_YET_VALID: 'is not valid yet',
  CERT_REVOKED: 'has been revoked',
  CERT_SIGNATURE_FAILURE: 'has an invalid signature',
};

/**
 * A failed request whose cause is the server's TLS certificate, as a NETWORK
 * error that names the URL and says what to do; undefined for any other
 * failure (the flows map those). `undici` nests the TLS error in `cause`.
 */
export function tlsFailure(error: unknown, url: string, profile?: string): AuthError | undefined {
  const code = tlsErrorCode(error);
  if (code === undefined) return undefined;
  const where = withoutQuery(url);
  if (UNTRUSTED.has(code)) {
    const setting = profile === undefined ? 'ca_file' : `ca_file = "/path/to/ca.pem" in [profiles.${profile}]`;
    return new AuthError('NETWORK', `Cannot reach ${where}: its TLS certificate is not trusted (${code})`, {
      url: where,
      hint: `if the server uses a private or corporate CA, set ${setting} or NODE_EXTRA_CA_CERTS to that CA's PEM file`,
      cause: error,
    });
  }
  return new AuthError('NETWORK', `Cannot reach ${where}: its TLS certificate ${INVALID[code]} (${code})`, {
    url: where,
    hint: 'check the host name in the profile; otherwise the server needs a valid certificate',
    cause: error,
  });
}

function tlsErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (UNTRUSTED.has(code) || code in INVALID)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Messages never carry a query string or credentials. */
function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url;
  }
}
