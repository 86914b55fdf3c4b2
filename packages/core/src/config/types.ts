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
  store: { backend: StoreBackend; path: string };
  /** Raw profile tables, keyed by name; validated when a profile is resolved. */
  profiles: Record<string, Record<string, unknown>>;
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
  admin?: { username: string; realm?: string; client_id?: string };
}

/** A profile after precedence (flag > env > profile > default) and validation. */
export interface ResolvedProfile {
  name: string;
  /** Common settings plus the provider's own keys, validated by its schema. */
  settings: CommonProfileSettings & Record<string, unknown>;
  /** Where the profile came from, for error messages. */
  file: string;
}
