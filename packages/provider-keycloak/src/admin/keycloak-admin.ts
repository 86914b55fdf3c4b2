import { isLoopbackHost } from '@auth/core/provider';
import { DEFAULT_REALM } from '../options.js';
import { KeycloakAdminApi } from './admin-api.js';
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
  /** The administrator, a user of `adminRealm`. */
  username: string;
  /** Asked for when the first request needs it; held in memory only. */
  password: string | (() => Promise<string>);
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
  const password = options.password;
  const api = new KeycloakAdminApi({
    profile: options.profile ?? 'default',
    base,
    realm: options.adminRealm ?? DEFAULT_ADMIN_REALM,
    clientId: options.adminClientId ?? DEFAULT_ADMIN_CLIENT_ID,
    username: options.username,
    password: typeof password === 'string' ? async () => password : password,
    targetRealm: options.realm ?? DEFAULT_REALM,
    fetch: options.fetch ?? globalThis.fetch,
    signal: options.signal ?? new AbortController().signal,
    timeoutMs: options.timeoutMs ?? DEFAULT_ADMIN_TIMEOUT_MS,
    // Plain http only as core allows it for profiles: loopback, or an explicit allow_http.
    allowInsecureHttp: options.allowHttp === true || isLoopbackHost(new URL(base).hostname),
  });
  return { clients: new ClientManager(api, host), users: new UserManager(api), realm: new RealmManager(api) };
}

