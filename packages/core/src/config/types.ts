import type { FlowId } from '../token-set.js';

export type StoreBackend = 'auto' | 'keyring' | 'file';
export type LoginFlowId = Exclude<FlowId, 'refresh'>;

/** The parsed `config.toml`, before any profile is chosen. */
export interface AuthctlConfig {
  /** `$AUTHCTL_HOME` (default `$XDG_CONFIG_HOME/authctl`, i.e. `~/.config/authctl`). */
  home: string;
  /** The config file that was read (it may not exist yet). */
  file: string;
  /** Whether `file` existed. */
  exists: boolean;
  default_profile?: string;
  /** `plugins = [...]`: provider packages by name, or paths relative to `file`. */
  plugins?: string[];
  store: { backend: StoreBackend; path: string };
  /** Raw profile tables, keyed by name; validated when a profile is resolved. */
  profiles: Record<string, Record<string, unknown>>;
  /** `[agent]`: the profiles `authctl agent` keeps fresh when none is named on the command line. */
  agent?: { profiles: string[] };
}

/** Keys every profile may have, whatever its provider. */
export interface CommonProfileSettings {
  provider: string;
  client_id?: string;
  flow?: LoginFlowId;
  scopes?: string[];
  /** Extra request parameters (influxctl `parameters = { audience = "..." }`). */
  parameters?: Record<string, string>;
  /** Per-request timeout, seconds (default 30). */
  timeout?: number;
  /** Accept `http://` for a non-loopback host. */
  allow_http?: boolean;
  /** PEM file of a CA trusted in addition to the system roots; absolute once resolved (relative to the config file). */
  ca_file?: string;
  /** Fixed loopback port for the browser flow. */
  redirect_port?: number;
  /** Redirect URI for the paste-the-code flow. */
  code_redirect_uri?: string;
  /** Username for the password flow. */
  username?: string;
  service_account?: { client_id: string };
  /**
   * A machine identity's login method (kms `--method`: `universal-auth`,
   * `aws-iam`, …): the profile logs in at the login API `domain` with a proof
   * from its provider, instead of an OAuth flow.
   */
  method?: string;
  /** The machine-identity login API (kms `--domain`); `/api` is appended when missing. Also Auth0's tenant domain. */
  domain?: string;
  /** The machine identity's id (kms `--machine-identity-id`). */
  identity_id?: string;
  /** The sub-organization a machine login is scoped to (kms `--organization-slug`). */
  organization_slug?: string;
  /** kms `--service-account-token-path` (kubernetes). */
  service_account_token_path?: string;
  /** kms `--service-account-key-file-path` (gcp-iam). */
  service_account_key_file_path?: string;
  /** A file holding the JWT of a `jwt-auth` or `oidc-auth` login, read at each login. */
  jwt_file?: string;
}

/** A profile after precedence (flag > env > profile > default) and validation. */
export interface ResolvedProfile {
  name: string;
  /** Common settings plus the provider's own keys, validated by its schema. */
  settings: CommonProfileSettings & Record<string, unknown>;
  /** Where the profile came from, for error messages. */
  file: string;
}
