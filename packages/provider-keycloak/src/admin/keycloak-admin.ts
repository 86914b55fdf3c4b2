import { isLoopbackHost } from '@auth/core/provider';
import { DEFAULT_REALM } from '../options.js';
import { KeycloakAdminApi } from './admin-api.js';
import { passwordAdminToken } from './admin-login.js';
import { ClientManager } from './client-manager.js';
import { RealmManager } from './realm-manager.js';
import { UserManager } from './user-manager.js';

/** As ClientManager(timeout=15). */
export const DEFAULT_ADMIN_TIMEOUT_MS = 15_000;
export const DEFAULT_ADMIN_REALM = 'master';
export const DEFAULT_ADMIN_CLIENT_ID = 'admin-cli';

export interface KeycloakAdminOptions {
  /** The Keycloak (or kdb Insights) base URL. */
  url: string;
  /** `/auth` for Keycloak before 17. */
  base_path?: string;
  /** Realm to administer (default `insights`). */
  realm?: string;
  /**
   * How the administrator authenticates: a user of `adminRealm` with a password
   * (asked for when the first request needs it, held in memory only), or an
   * access token the caller holds (e.g. the profile's own login, a service
   * account with realm-management roles).
   */
  credentials: { username: string; password: string | (() => Promise<string>) } | { accessToken: () => Promise<string> };
  /** Default `master`. */
  adminRealm?: string;
  /** Default `admin-cli`. */
  adminClientId?: string;
  /** Per request, default 15 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Plain `http://` to a non-loopback host; loopback http is always accepted. */
  allowHttp?: boolean;
  /** The profile, named in error hints. */
  profile?: string;
}

export interface KeycloakAdmin {
  clients: ClientManager;
  users: UserManager;
  realm: RealmManager;
}

/**
 * Keycloak administration for one realm: `clients` (kxi's ClientManager),
 * `users` (kxi's `user` command) and the `realm` itself (create, roles). The administrator logs in on first use;
 * the token is kept in this object only and dropped with it.
 */
export function keycloakAdmin(options: KeycloakAdminOptions): KeycloakAdmin {
  const host = options.url.replace(/\/+$/, '');
  const base = `${host}${options.base_path ?? ''}`;
  const transport = {
    profile: options.profile ?? 'default',
    base,
    fetch: options.fetch ?? globalThis.fetch,
    signal: options.signal ?? new AbortController().signal,
    timeoutMs: options.timeoutMs ?? DEFAULT_ADMIN_TIMEOUT_MS,
  };
  const { credentials } = options;
  const password = 'password' in credentials ? credentials.password : undefined;
  const accessToken =
    'accessToken' in credentials
      ? credentials.accessToken
      : passwordAdminToken({
          ...transport,
          realm: options.adminRealm ?? DEFAULT_ADMIN_REALM,
          clientId: options.adminClientId ?? DEFAULT_ADMIN_CLIENT_ID,
          username: credentials.username,
          password: typeof password === 'string' ? async () => password : password!,
          // Plain http only as core allows it for profiles: loopback, or an explicit allow_http.
          allowInsecureHttp: options.allowHttp === true || isLoopbackHost(new URL(base).hostname),
        });
  const api = new KeycloakAdminApi({ ...transport, targetRealm: options.realm ?? DEFAULT_REALM, accessToken });
  return { clients: new ClientManager(api, host), users: new UserManager(api), realm: new RealmManager(api) };
}

