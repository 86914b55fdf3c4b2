import type * as oauth from 'oauth4webapi';
import type { ZodType } from 'zod';
import type { CommonProfileSettings } from '../../config/types.js';
import type { FlowId, TokenSet } from '../../token-set.js';
import type { AdminCapability } from './admin.js';
import type { BasicCredentialCapability } from './basic-credential.js';
import type { GatewayCapability } from './gateway.js';
import type { ProofCapability, VerifyCapability } from './machine-identity.js';
import type { ProfileImporter } from './profile-importer.js';

/** What a provider's hooks see of a profile: its own keys (its option schema) and the common ones core validated. */
export type ProfileSettings<Settings> = Settings & CommonProfileSettings;

/** The environment of the CLI or server run, handed to providers: they never read `process.env`. */
export type ProviderEnv = Readonly<Record<string, string | undefined>>;

/** I/O a provider may use while resolving its authorization server. */
export interface ProviderIO {
  /** The environment variables of this run (a provider's own defaults, e.g. a tenant id, come from here). */
  env: ProviderEnv;
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
  resolveServer(settings: ProfileSettings<Settings>, io: ProviderIO): Promise<oauth.AuthorizationServer>;
  /** The issuer URL this profile names (used for the `http://` loopback check), if any. */
  issuerUrl?(settings: ProfileSettings<Settings>): string | undefined;
  /** `flow` is given when it is known, so scopes can differ per flow (e.g. Entra client credentials: `.default` only). */
  defaults?(settings: ProfileSettings<Settings>, flow?: FlowId): OAuthDefaults;
  /** Extra request parameters per flow (e.g. Auth0 `audience`). `where` names the profile for errors. */
  parameters?(flow: FlowId, settings: ProfileSettings<Settings>, where: ProfileLocation): Record<string, string>;
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
  settings: ProfileSettings<Settings>;
}

export interface Provider<Settings = Record<string, unknown>> {
  readonly specificationVersion: 'v1';
  /** Matches `provider = "<id>"` in a profile. */
  readonly id: string;
  readonly name: string;
  /** The provider's own profile keys. Core validates the common keys. */
  readonly options: ZodType<Settings>;
  /**
   * Profile keys (its own or common ones) that an environment variable supplies
   * when the profile leaves them out, e.g. `{ tenant: 'AZURE_TENANT_ID' }`. Core
   * fills them in from the run's environment before validation (flag > profile >
   * variable), so the provider reads settings only, never `process.env`.
   */
  readonly environment?: Readonly<Record<string, string>>;
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
  /** Readers of other tools' config files whose profiles use this provider (`authctl profile import --from <id>`). */
  readonly importers?: readonly ProfileImporter[];
}
