import type * as oauth from 'oauth4webapi';
import type { ZodType } from 'zod';
import type { FlowId } from '../token-set.js';

/** I/O a provider may use while resolving its authorization server. */
export interface ProviderIO {
  fetch: typeof fetch;
  signal: AbortSignal;
  timeoutMs: number;
  allowInsecureHttp: boolean;
}

/** Defaults a provider fills in when the profile leaves them out. */
export interface OAuthDefaults {
  client_id?: string;
  scopes?: string[];
  flow?: Exclude<FlowId, 'refresh'>;
}

/**
 * An OAuth 2.0 / OIDC capability: the provider says where the authorization
 * server is and what its conventions are; the core flows do the rest.
 * Quirks are hooks here, never branches in core.
 */
export interface OAuthCapability<Settings = Record<string, unknown>> {
  readonly specificationVersion: 'v1';
  /** Discovery or explicit endpoints. */
  resolveServer(settings: Settings, io: ProviderIO): Promise<oauth.AuthorizationServer>;
  /** The issuer URL this profile names (used for the `http://` loopback check), if any. */
  issuerUrl?(settings: Settings): string | undefined;
  defaults?(settings: Settings): OAuthDefaults;
  /** Extra request parameters per flow (e.g. Auth0 `audience`). */
  parameters?(flow: FlowId, settings: Settings): Record<string, string>;
}

export interface Provider<Settings = Record<string, unknown>> {
  readonly specificationVersion: 'v1';
  /** Matches `provider = "<id>"` in a profile. */
  readonly id: string;
  readonly name: string;
  /** The provider's own profile keys. Core validates the common keys. */
  readonly options: ZodType<Settings>;
  readonly oauth?: OAuthCapability<Settings>;
}
