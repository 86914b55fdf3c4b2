import * as oauth from 'oauth4webapi';
import { AuthError, explicitAuthorizationServer, getFlow, type Interaction, type TokenSet } from '@auth/core/provider';

export interface AdminLogin {
  /** The profile, for hints. */
  profile: string;
  /** `{url}{base_path}`: where Keycloak's realms live. */
  base: string;
  /** Realm of the administrator (default `master`). */
  realm: string;
  /** Public client used for the password grant (default `admin-cli`). */
  clientId: string;
  username: string;
  password: () => Promise<string>;
  fetch: typeof fetch;
  signal: AbortSignal;
  timeoutMs: number;
  allowInsecureHttp: boolean;
}

/** The admin REST API never asks; nothing is printed while logging the administrator in. */
const SILENT: Interaction = {
  print: () => {},
  prompt: () => Promise.reject(new Error('the admin login does not prompt')),
  promptSecret: () => Promise.reject(new Error('the admin login does not prompt')),
  openUrl: async () => false,
  progress: () => {},
  emit: () => {},
};

/**
 * The administrator's token, as kxi's `user` command and keycloak-admin-client
 * get it: RFC 6749 §4.3 password grant to `{base}/realms/master/protocol/openid-connect/token`
 * with the public client `admin-cli` (keycloak-admin-client's `auth.ts`,
 * https://github.com/keycloak/keycloak/blob/main/js/libs/keycloak-admin-client/src/utils/auth.ts). Core's password
 * flow does the request, so errors carry the same codes as `authctl login`.
 * The caller keeps the token in memory only.
 */
export async function adminLogin(login: AdminLogin): Promise<TokenSet> {
  const server = explicitAuthorizationServer({
    token_url: `${login.base}/realms/${encodeURIComponent(login.realm)}/protocol/openid-connect/token`,
  });
  const flow = getFlow('password').run({
    profile: login.profile,
    server,
    client: { client_id: login.clientId },
    clientAuth: oauth.None(),
    scopes: [],
    parameters: {},
    interaction: SILENT,
    signal: login.signal,
    fetch: login.fetch,
    timeoutMs: login.timeoutMs,
    allowInsecureHttp: login.allowInsecureHttp,
    options: {},
    readPassword: async () => ({ username: login.username, password: await login.password() }),
  });
  try {
    return await flow;
  } catch (error) {
    if (AuthError.is(error) && error.code === 'INVALID_CREDENTIALS') {
      throw new AuthError('INVALID_CREDENTIALS', `Keycloak refused the administrator "${login.username}" of realm ${login.realm} at ${error.details.url}`, {
        ...error.details,
        profile: login.profile,
        key: `profiles.${login.profile}.admin.username`,
        hint: `check [profiles.${login.profile}.admin] username, and the password in AUTHCTL_ADMIN_PASSWORD, on stdin or typed at the prompt`,
        cause: error,
      });
    }
    throw error;
  }
}
