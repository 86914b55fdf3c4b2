import type { OAuthCapability, ProviderIO } from '@auth/core/provider';

/** The authorization server metadata the core flows read (RFC 8414 §2), as the contract types it. */
export type AuthorizationServerMetadata = Awaited<ReturnType<OAuthCapability['resolveServer']>>;

/** A discovery document larger than this is not metadata. */
const MAX_BYTES = 256 * 1024;

/**
 * OpenID Connect Discovery 1.0 §4: GET `<issuer>/.well-known/openid-configuration`,
 * through the fetch and signal authctl hands the provider (its proxy, CA and
 * timeout settings apply). The `issuer` in the answer must be the one asked
 * for (OpenID Connect Discovery 1.0 §4.3), or a document from elsewhere could
 * redirect the login.
 */
export async function discover(issuer: string, io: ProviderIO): Promise<AuthorizationServerMetadata> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let response: Response;
  try {
    response = await io.fetch(url, { headers: { accept: 'application/json' }, signal: io.signal });
  } catch (cause) {
    throw providerError('NETWORK', `cannot reach the discovery document ${url}`, 'check the issuer URL and your network', cause, url);
  }
  const text = await response.text();
  if (!response.ok) throw providerError('PROTOCOL', `${url} answered HTTP ${response.status}`, 'check the issuer URL in the profile');
  if (text.length > MAX_BYTES) throw providerError('PROTOCOL', `${url} answered more than ${MAX_BYTES} bytes`, 'check the issuer URL in the profile');
  let metadata: AuthorizationServerMetadata;
  try {
    metadata = JSON.parse(text) as AuthorizationServerMetadata;
  } catch (cause) {
    throw providerError('PROTOCOL', `${url} did not answer JSON`, 'check the issuer URL in the profile', cause);
  }
  if (metadata.issuer !== issuer) {
    throw providerError('PROTOCOL', `${url} names the issuer ${JSON.stringify(metadata.issuer)}, not ${issuer}`, 'set issuer to the exact URL the IdP publishes');
  }
  return metadata;
}

/**
 * authctl recognises an error by its shape (named `AuthError`, one of core's
 * codes, a `details` object), not by class, so a plugin raises its own
 * without importing core at run time; authctl prints it with its hint and
 * exit code.
 */
export function providerError(code: 'NETWORK' | 'PROTOCOL', message: string, hint: string, cause?: unknown, url?: string): Error {
  const details = url === undefined ? { hint } : { hint, url };
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { name: 'AuthError', code, details });
}
