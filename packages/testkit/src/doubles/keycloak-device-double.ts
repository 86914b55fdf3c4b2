// Contract double of one Keycloak realm's OIDC device and token endpoints, following
// Keycloak's OIDC endpoints (paths under `{base}/realms/{realm}/protocol/openid-connect`, per the
// Keycloak server administration guide), its OAuth 2.0 Device Authorization Grant support (device authorization for clients with `oauth2.device.authorization.grant.enabled`,
// confidential clients authenticating there too, the polling errors and their descriptions)
// client credentials for the confidential client's service account,
// and Keycloak's token response (`refresh_expires_in`, `not-before-policy`, `session_state`).
import { randomBytes, randomUUID } from 'node:crypto';
import { DeviceAuthorizations } from './device-authorizations.js';
import { serveDouble, type DoubleRequest, type Reply } from './double-server.js';
import { createSigningKey, type SigningKey } from './signing-key.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface KeycloakDeviceDoubleOptions {
  realm?: string;
  /** Seconds between polls (Keycloak's default is 5; tests use 1). */
  interval?: number;
}

export interface KeycloakDeviceDouble {
  /** The server base, without `/realms/...` (Keycloak 17+ layout). */
  url: string;
  realm: string;
  /** `{url}/realms/{realm}/protocol/openid-connect`. */
  endpoints: { device: string; token: string; certs: string };
  /** A confidential client with the device grant enabled, and one without it. */
  clients: { device: { id: string; secret: string }; noDevice: string };
  user: { id: string };
  serviceAccount: { id: string; username: string };
  approveDevice(userCode: string): void;
  devices: DeviceAuthorizations;
  /** Token and device requests as received, secrets replaced by their kind. */
  requests: Array<{ path: string } & Record<string, string>>;
  /** Lifetime of the access tokens issued from now on (a short one makes the next `print-token` refresh). */
  setAccessTokenTtl(seconds: number): void;
  /** Signs with a new key (a new `kid`) from now on; the certs endpoint keeps publishing the old one, as a passive Keycloak key does. */
  rotateSigningKey(): Promise<void>;
  close(): Promise<void>;
}

export async function startKeycloakDeviceDouble(options: KeycloakDeviceDoubleOptions = {}): Promise<KeycloakDeviceDouble> {
  const realm = options.realm ?? 'insights';
  let key = await createSigningKey();
  const retiredKeys: SigningKey[] = [];
  const clients = { device: { id: 'influxctl', secret: randomBytes(24).toString('base64url') }, noDevice: 'no-device' };
  const user = { id: randomUUID() };
  /** The `service-account-{clientId}` user behind client-credentials tokens (https://code.kx.com/insights/1.10/enterprise/security/managing-service-accounts.html). */
  const serviceAccount = { id: randomUUID(), username: `service-account-${clients.device.id}` };
  const devices = new DeviceAuthorizations(600);
  const refreshTokens = new Map<string, { clientId: string; scope: string }>();
  const requests: Array<{ path: string } & Record<string, string>> = [];
  let accessTokenTtl = 300;
  let base = '';
  const prefix = `/realms/${realm}/protocol/openid-connect`;

  const error = (code: string, description: string, status = 400): Reply => ({ status, body: { error: code, error_description: description } });

  /** Confidential clients authenticate with Basic or client_secret in the body. */
  function client(request: DoubleRequest): { id: string } | Reply {
    const id = request.basic?.username ?? request.form.get('client_id') ?? '';
    const secret = request.basic?.password ?? request.form.get('client_secret');
    if (id === clients.device.id && secret !== clients.device.secret) return error('unauthorized_client', 'Invalid client or Invalid client credentials', 401);
    if (id !== clients.device.id && id !== clients.noDevice) return error('invalid_client', 'Invalid client or Invalid client credentials', 401);
    return { id };
  }

  async function issue(clientId: string, scope: string, as: { refresh: boolean; subject: string } = { refresh: true, subject: user.id }): Promise<Reply> {
    const iss = `${base}/realms/${realm}`;
    const session_state = randomUUID();
    const refresh = randomBytes(32).toString('base64url');
    if (as.refresh) refreshTokens.set(refresh, { clientId, scope });
    return {
      status: 200,
      body: {
        access_token: await key.sign({ iss, sub: as.subject, aud: 'account', azp: clientId, typ: 'Bearer', scope, sid: session_state, jti: randomUUID() }, accessTokenTtl),
        expires_in: accessTokenTtl,
        ...(as.refresh ? { refresh_expires_in: 1800, refresh_token: refresh } : { refresh_expires_in: 0 }),
        token_type: 'Bearer',
        'not-before-policy': 0,
        session_state,
        scope,
      },
    };
  }

  const server = await serveDouble(async (request) => {
    if (request.method === 'POST') {
      requests.push({
        path: request.path,
        ...(request.basic ? { authorization: 'Basic <credentials>' } : {}),
        ...Object.fromEntries(
          [...request.form].map(([name, value]) => [name, ['client_secret', 'refresh_token', 'device_code'].includes(name) ? `<${name}>` : value]),
        ),
      });
    }
    if (request.method === 'GET' && request.path === `${prefix}/certs`) return { status: 200, body: { keys: [key, ...retiredKeys].flatMap((each) => each.jwks().keys) } };
    if (request.method !== 'POST') return { status: 404, body: { error: 'HTTP 404 Not Found' } };
    const caller = client(request);
    if ('status' in caller) return caller;
    if (request.path === `${prefix}/auth/device`) {
      if (caller.id !== clients.device.id) return error('invalid_grant', 'Client not allowed for OAuth 2.0 Device Authorization Grant');
      const { device_code, user_code } = devices.create(caller.id, request.form.get('scope') ?? 'openid', {});
      const verification = `${base}/realms/${realm}/device`;
      return {
        status: 200,
        body: {
          device_code,
          user_code,
          verification_uri: verification,
          verification_uri_complete: `${verification}?user_code=${user_code}`,
          expires_in: devices.lifetimeSeconds,
          interval: options.interval ?? 1,
        },
      };
    }
    if (request.path !== `${prefix}/token`) return { status: 404, body: { error: 'HTTP 404 Not Found' } };
    switch (request.form.get('grant_type')) {
      case DEVICE_GRANT: {
        if (caller.id !== clients.device.id) return error('invalid_grant', 'Client not allowed OAuth 2.0 Device Authorization Grant');
        const outcome = devices.poll(request.form.get('device_code') ?? '', caller.id);
        switch (outcome.state) {
          case 'pending':
            return error('authorization_pending', 'The authorization request is still pending');
          case 'slow_down':
            return error('slow_down', 'Slow down');
          case 'expired':
            return error('expired_token', 'Device code is expired');
          case 'denied':
            return error('access_denied', 'The end user denied the authorization request');
          case 'unknown':
            return error('invalid_grant', 'Device code not valid');
          case 'approved':
            return issue(caller.id, outcome.grant.scope);
        }
      }
      // falls through: every case above returns
      case 'refresh_token': {
        const grant = refreshTokens.get(request.form.get('refresh_token') ?? '');
        if (grant === undefined || grant.clientId !== caller.id) return error('invalid_grant', 'Invalid refresh token');
        return issue(caller.id, grant.scope);
      }
      case 'client_credentials':
        if (caller.id !== clients.device.id) return error('unauthorized_client', 'Client not enabled to retrieve service account');
        // Keycloak issues no refresh token for client credentials by default (client_credentials.use_refresh_token).
        return issue(caller.id, request.form.get('scope') ?? 'profile email', { refresh: false, subject: serviceAccount.id });
      default:
        return error('unsupported_grant_type', 'Unsupported grant_type');
    }
  });
  base = server.url;
  const endpoints = { device: `${base}${prefix}/auth/device`, token: `${base}${prefix}/token`, certs: `${base}${prefix}/certs` };

  return {
    url: base,
    realm,
    endpoints,
    clients,
    user,
    serviceAccount,
    devices,
    approveDevice: (userCode) => devices.approve(userCode, user.id),
    requests,
    setAccessTokenTtl: (seconds) => {
      accessTokenTtl = seconds;
    },
    async rotateSigningKey() {
      retiredKeys.unshift(key);
      key = await createSigningKey();
    },
    close: server.close,
  };
}
