import type { BasicCredential } from '../../token-set.js';
import type { ProfileSettings, ProviderIO } from './provider.js';

/**
 * A provider whose users log in with a username and password sent as HTTP
 * Basic credentials (RFC 7617) on every request, with no token in between
 * (Kapacitor, InfluxDB 1.x). Core asks for the credentials, has the provider
 * prove them, and keeps them in the credential store; `print-token --header`
 * gives the `Authorization: Basic` line and `exec` hands the child whatever
 * the provider's own tools read.
 */
export interface BasicCredentialCapability<Settings = Record<string, unknown>> {
  readonly specificationVersion: 'v1';
  /**
   * Proves the credentials against the server before they are stored.
   * Rejected credentials throw `AuthError('INVALID_CREDENTIALS')` naming the
   * URL and quoting the server's reason; an unreachable server NETWORK or
   * TIMEOUT. Without it, core stores what it was given unchecked.
   */
  check?(settings: ProfileSettings<Settings>, credential: BasicCredential, io: ProviderIO): Promise<void>;
  /** The variables `authctl exec` sets for the child (e.g. a URL with the credentials as userinfo). */
  execEnvironment(settings: ProfileSettings<Settings>, credential: BasicCredential): Record<string, string>;
}
