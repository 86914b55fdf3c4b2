import type * as oauth from 'oauth4webapi';
import type { ZodType } from 'zod';
import type { FlowId, TokenSet } from '../../token-set.js';
import type { AdminCapability } from './admin.js';
import type { BasicCredentialCapability } from './basic-credential.js';
import type { GatewayCapability } from './gateway.js';
import type { ProofCapability, VerifyCapability } from './machine-identity.js';

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
  /** `flow` is given when it is known, so scopes can differ per flow (e.g. Entra client credentials: `.default` only). */
  defaults?(settings: Settings, flow?: FlowId): OAuthDefaults;
  /** Extra request parameters per flow (e.g. Auth0 `audience`). `where` names the profile for errors. */
  parameters?(flow: FlowId, settings: Settings, where: ProfileLocation): Record<string, string>;
  /**
   * Client authentication other than a secret (e.g. an Entra certificate or
   * federated assertion). Undefined leaves it to core (secret or none).
   */
  clientAuth?(request: ClientAuthRequest<Settings>): Promise<oauth.ClientAuth | undefined>;
  /** The stable subject of a token set (e.g. Entra `tid` + `oid`); default: the `sub` claim. */
  subject?(tokens: TokenSet): string | undefined;
  /** Non-standard OAuth error codes the flows should read as RFC ones (e.g. Entra `authorization_declined` → `access_denied`). */
  errorAliases?: Readonly<Record<string, string>>;
}

/** Where a profile comes from, for error messages. */
export interface ProfileLocation {
  profile: string;
  file: string;
}

export interface ClientAuthRequest<Settings> extends ProfileLocation {
  flow: FlowId;
  clientId: string;
  settings: Settings;
}

export interface Provider<Settings = Record<string, unknown>> {
  readonly specificationVersion: 'v1';
  /** Matches `provider = "<id>"` in a profile. */
  readonly id: string;
  readonly name: string;
  /** The provider's own profile keys. Core validates the common keys. */
  readonly options: ZodType<Settings>;
  readonly oauth?: OAuthCapability<Settings>;
  /** Username-and-password login kept as HTTP Basic credentials, for servers that take no token. */
  readonly basic?: BasicCredentialCapability<Settings>;
  /** Admin commands the CLI mounts as `authctl <id> …`. */
  readonly admin?: AdminCapability<Settings>;
  /** Machine-identity proofs for `authctl login --method …` (client side). */
  readonly proof?: ProofCapability<Settings>;
  /** Machine-identity verification for auth-server's login API (server side). */
  readonly verify?: VerifyCapability;
  /** Request authentication and authorization for auth-server's gateway role (server side). */
  readonly gateway?: GatewayCapability<any>;
}
