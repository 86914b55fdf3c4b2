import type * as oauth from 'oauth4webapi';
import type { FlowId, TokenSet } from '../../token-set.js';
import type { Interaction } from './interaction.js';

/** Options a person sets on `authctl login`. */
export interface LoginOptions {
  /** Do not try to open a browser; print the URL only. */
  noBrowser?: boolean;
  /** Fixed loopback port for the browser flow (0 or absent: ephemeral). */
  port?: number;
  /** Redirect URI registered for the paste-the-code flow. */
  codeRedirectUri?: string;
  /** How long the browser flow waits for the person to finish, in ms (default 5 minutes). */
  loginTimeoutMs?: number;
}

/** Everything a flow needs, resolved before it runs. State is passed in, never global. */
export interface FlowContext {
  profile: string;
  server: oauth.AuthorizationServer;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  scopes: string[];
  /** Extra parameters for authorization, device and token requests (e.g. `audience`). */
  parameters: Record<string, string>;
  interaction: Interaction;
  signal: AbortSignal;
  fetch: typeof fetch;
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
  /** The clock, epoch seconds (default: the system clock); flows read time only here, so tests can fake it. */
  now?(): number;
  /** Waits `ms`, or rejects with CANCELLED once `signal` aborts (device polling; default: a timer). */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  /** Loopback `http://` (or `allow_http`) was accepted for this profile. */
  allowInsecureHttp: boolean;
  options: LoginOptions;
  /** Resolves a username and password for the `password` flow (env, stdin, prompt). */
  readPassword(): Promise<{ username: string; password: string }>;
  /** The refresh token, for the `refresh` flow. */
  refreshToken?: string;
  /**
   * Settles the tokens a login obtained (stores them, or refuses them with an
   * error). A flow that tells the person the login is complete (the browser
   * flow's callback page) calls it first, so the page says what happened; for
   * other flows the session calls it after `run`.
   */
  complete?(tokens: TokenSet): Promise<void>;
  /** The provider's non-standard OAuth error codes and their RFC equivalents (see OAuthCapability.errorAliases). */
  errorAliases?: Readonly<Record<string, string>>;
}

export interface Flow {
  readonly specificationVersion: 'v1';
  readonly id: FlowId;
  /** Needs a person (browser, code, device). */
  readonly interactive: boolean;
  run(ctx: FlowContext): Promise<TokenSet>;
}
