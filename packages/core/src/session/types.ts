import type { CredentialStore } from '../contracts/v1/credential-store.js';
import type { Interaction } from '../contracts/v1/interaction.js';
import type { Provider } from '../contracts/v1/provider.js';
import type { ResolvedProfile } from '../config/types.js';

/** Where a secret comes from, resolved only when a flow needs it. */
export interface SecretSources {
  /** Client secret from `--client-secret-stdin` or `AUTHCTL_CLIENT_SECRET`; core falls back to the store. */
  clientSecret?: () => Promise<string | undefined>;
  /** Username and password for the password flow (env, stdin or prompt). */
  password?: () => Promise<{ username: string; password: string }>;
  /** The JWT of a `jwt-auth` / `oidc-auth` machine login (kms `--jwt`, `INFISICAL_JWT`); core falls back to the profile's `jwt_file`. */
  jwt?: () => Promise<string | undefined>;
}

/** What login, getToken and logout work on: one profile, its provider, its store. */
export interface SessionContext {
  profile: ResolvedProfile;
  provider: Provider;
  store: CredentialStore;
  interaction: Interaction;
  secrets?: SecretSources;
  /** The environment a machine-identity proof reads (credential chains, platform variables); default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Epoch seconds; injectable, with `sleep`, so tests prove time rules on a fake clock. */
  now?: () => number;
  /** Waits `ms` (device polling), or rejects with CANCELLED once `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}
