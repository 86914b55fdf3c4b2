import { randomBytes } from 'node:crypto';
import { keycloakAdmin, type KeycloakAdmin } from '../admin/keycloak-admin.js';

/** A running Keycloak and an administrator of its master realm (e.g. the bootstrap admin of `kc.sh start-dev`). */
export interface KeycloakInstance {
  url: string;
  admin: { username: string; password: string };
}

export interface RealmUser {
  /** Keycloak's user id: the `sub` of the user's tokens (what InfluxDB Clustered lists in `users`). */
  id: string;
  username: string;
  password: string;
}

export interface InsightsRealm {
  name: string;
  /** `{url}/realms/{name}`. */
  issuer: string;
  endpoints: { token: string; device: string; authorization: string; certs: string };
  clients: {
    /** Public, device grant only: influxctl's client (https://docs.influxdata.com/influxdb/clustered/install/auth/). */
    device: string;
    /** Public, browser login and paste-the-code (`urn:ietf:wg:oauth:2.0:oob`): kxi's `insights-app`. */
    app: string;
    /** Confidential with a service account holding every realm role: kxi's `--serviceaccount`. */
    service: { id: string; secret: string; uuid: string };
    /** Public, password grant only: how `userToken` mints a user's token. */
    direct: string;
  };
  roles: readonly string[];
  users: { alice: RealmUser; bob: RealmUser };
  /** A realm user's access token, by the password grant of a client kept for tests, with the user's id. */
  userToken(username: string): Promise<{ accessToken: string; userId: string }>;
  /** Administration of this realm, as the master administrator. */
  admin: KeycloakAdmin;
  delete(): Promise<void>;
}

export interface InsightsRealmOptions {
  /** Access token lifespan in seconds (default 300, Keycloak's own default). */
  accessTokenLifespan?: number;
}

export const INSIGHTS_ROLES = ['insights.query', 'insights.schema.get', 'insights.admin'] as const;
const TOKEN_MINTER = 'test-token-minter';
/** The user events the test realms store. */
export const REALM_EVENTS = ['LOGIN', 'CODE_TO_TOKEN', 'REFRESH_TOKEN', 'REFRESH_TOKEN_ERROR', 'CLIENT_LOGIN', 'OAUTH2_DEVICE_CODE_TO_TOKEN'] as const;

const secret = () => randomBytes(18).toString('base64url');

/**
 * Creates realm `name` the way a kdb Insights / InfluxDB Clustered operator
 * would, through this package's own admin code: refresh-token rotation on
 * ("Revoke Refresh Token", no reuse), the insights realm roles, influxctl's
 * device client, kxi's browser client, a service-account client and two
 * users with passwords (alice holds `insights.query`).
 */
export async function createInsightsRealm(keycloak: KeycloakInstance, name: string, options: InsightsRealmOptions = {}): Promise<InsightsRealm> {
  const url = keycloak.url.replace(/\/+$/, '');
  const admin = keycloakAdmin({ url, realm: name, username: keycloak.admin.username, password: keycloak.admin.password });
  await admin.realm.createRealm({
    revokeRefreshToken: true,
    refreshTokenMaxReuse: 0,
    accessTokenLifespan: options.accessTokenLifespan ?? 300,
    // Stored events let a test count what reached Keycloak (one refresh, no invalid_grant).
    eventsEnabled: true,
    enabledEventTypes: [...REALM_EVENTS],
  });
  for (const role of INSIGHTS_ROLES) await admin.realm.createRole(role);

  const publicClient = { publicClient: true, serviceAccountsEnabled: false, standardFlowEnabled: false, directAccessGrantsEnabled: false };
  await admin.clients.registerNewClient('influxctl', {
    config: { ...publicClient, attributes: { 'oauth2.device.authorization.grant.enabled': 'true' } },
  });
  await admin.clients.registerNewClient('insights-app', {
    config: {
      ...publicClient,
      standardFlowEnabled: true,
      // Loopback redirects on any port (RFC 8252 §7.3) and the out-of-band page for paste-the-code.
      redirectUris: ['http://127.0.0.1/*', 'urn:ietf:wg:oauth:2.0:oob'],
      attributes: { 'pkce.code.challenge.method': 'S256' },
    },
  });
  await admin.clients.registerNewClient(TOKEN_MINTER, { config: { ...publicClient, directAccessGrantsEnabled: true } });
  const service = await admin.clients.registerClient('test-publisher', { clientSecret: secret(), roles: 'all' });

  const user = async (username: string): Promise<RealmUser> => {
    const password = secret();
    const created = await admin.users.createUser(username, { email: `${username}@example.com`, firstName: username, lastName: 'Test', password });
    return { id: created.id, username, password };
  };
  const users = { alice: await user('alice'), bob: await user('bob') };
  await admin.users.assignRoles('alice', ['insights.query']);

  const issuer = `${url}/realms/${encodeURIComponent(name)}`;
  const endpoints = {
    token: `${issuer}/protocol/openid-connect/token`,
    device: `${issuer}/protocol/openid-connect/auth/device`,
    authorization: `${issuer}/protocol/openid-connect/auth`,
    certs: `${issuer}/protocol/openid-connect/certs`,
  };
  return {
    name,
    issuer,
    endpoints,
    clients: { device: 'influxctl', app: 'insights-app', service: { id: service.id, secret: service.secret!, uuid: service.uuid }, direct: TOKEN_MINTER },
    roles: INSIGHTS_ROLES,
    users,
    admin,
    async userToken(username) {
      const found = Object.values(users).find((u) => u.username === username);
      if (!found) throw new Error(`no user ${username} in test realm ${name}`);
      const response = await fetch(endpoints.token, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'password', client_id: TOKEN_MINTER, username, password: found.password, scope: 'openid' }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await response.json()) as { access_token?: string };
      if (!response.ok || !body.access_token) throw new Error(`${endpoints.token} refused ${username}: HTTP ${response.status} ${JSON.stringify(body)}`);
      return { accessToken: body.access_token, userId: found.id };
    },
    delete: () => admin.realm.deleteRealm(),
  };
}
