import type { ProfileSettings, ProviderEnv } from './provider.js';
import type { Interaction } from './interaction.js';

/**
 * Administration a provider contributes to the CLI as `authctl <provider-id> <group> <command> …`.
 * Commands are declared, not wired: the CLI mounts them, reads their secrets,
 * resolves the profile and prints their result, so it never names a provider.
 */
export interface AdminCapability<Settings = Record<string, unknown>> {
  readonly specificationVersion: 'v1';
  readonly commands: ReadonlyArray<AdminCommand<Settings>>;
  /**
   * How its administrator may authenticate, so the CLI offers only what
   * applies: `password` (the CLI adds `--admin-password-stdin` and reads
   * AUTHCTL_ADMIN_PASSWORD or prompts, through `adminPassword()`), `profile-token`
   * (the profile's own login, through `profileToken()`: a person with admin
   * roles, a service account, a machine identity). Absent: `['password']`.
   */
  readonly credentials?: ReadonlyArray<AdminCredentialKind>;
  /** Which of `credentials` a profile's administrator uses, so a password is read only for one who needs it. Absent: the first. */
  credentialFor?(settings: ProfileSettings<Settings>): AdminCredentialKind;
}

export type AdminCredentialKind = 'password' | 'profile-token';

export interface AdminCommand<Settings = Record<string, unknown>> {
  /** Words after the provider id, e.g. `['clients', 'register']`. */
  readonly path: readonly string[];
  /** One line for `--help`. */
  readonly summary: string;
  readonly args?: readonly AdminArgument[];
  readonly options?: readonly AdminOption[];
  run(ctx: AdminContext<Settings>, input: AdminInput): Promise<AdminResult>;
}

export interface AdminArgument {
  /** Shown upper-case in usage (`NAME`), and the key in `input.args`. */
  readonly name: string;
  readonly description: string;
  /** Default true. */
  readonly required?: boolean;
  /** Takes the remaining words (`ROLE…`); its value is a string array. */
  readonly variadic?: boolean;
}

export interface AdminOption {
  /** The flag without dashes (`token-lifespan` → `--token-lifespan`), and the key in `input.options`. */
  readonly name: string;
  readonly description: string;
  /** Placeholder of the value (`SECONDS`); absent for a switch. */
  readonly value?: string;
  /**
   * A switch asking the CLI to read a secret: one line of stdin, or a hidden
   * prompt on a terminal. `input.options[name]` then holds the secret itself,
   * so a secret never travels in argv. The string is the prompt label.
   */
  readonly secretFromStdin?: string;
  /**
   * The value names a profile the command will create with `saveProfile`; the
   * CLI refuses an existing name before the command runs, so nothing is done
   * that cannot then be saved.
   */
  readonly newProfile?: boolean;
}

export interface AdminInput {
  /** Positional arguments by name; a variadic one is a string array. */
  readonly args: Readonly<Record<string, string | string[] | undefined>>;
  /** Option values (a string), switches (`true`), secrets read for `secretFromStdin` options (a string). */
  readonly options: Readonly<Record<string, string | boolean | undefined>>;
}

/** What a command hands back: `data` is printed as one JSON line with `--json`, `render()` otherwise. */
export interface AdminResult {
  readonly data: unknown;
  /** Human text for stdout, one string per line. */
  render(): string[];
}

/** Everything an admin command needs, resolved by the CLI for the selected profile. */
export interface AdminContext<Settings = Record<string, unknown>> {
  profile: string;
  /** The profile's settings, validated by core and the provider's schema (every http URL in it passed the loopback rule). */
  settings: ProfileSettings<Settings>;
  /** The environment of this run (a command's own secret variables); never `process.env` directly. */
  env: ProviderEnv;
  /**
   * The administrator's password (AUTHCTL_ADMIN_PASSWORD, `--admin-password-stdin`
   * or a hidden prompt naming `username`), for a capability whose `credentials`
   * include `password`. Held only in memory for this run, never stored.
   */
  adminPassword(username?: string): Promise<string>;
  /**
   * The access token of the profile's own login, for a capability whose
   * `credentials` include `profile-token`: the stored one while fresh, else
   * refreshed, or logged in again without a person (service account, machine
   * identity); LOGIN_REQUIRED when only a person can log it in.
   */
  profileToken(): Promise<string>;
  interaction: Interaction;
  fetch: typeof fetch;
  signal: AbortSignal;
  /** Per-request timeout in milliseconds from the profile's `timeout`; absent: the capability's own default. */
  timeoutMs?: number;
  /**
   * Creates (or replaces) a profile in config.toml, and stores its client
   * secret in the credential store, never in the file.
   */
  saveProfile(name: string, settings: Record<string, unknown>, secrets?: { clientSecret?: string }): Promise<void>;
}
