// Contract double of an Auth0 tenant, following Auth0's documentation
// (https://auth0.com/docs/get-started/authentication-and-authorization-flow): the device flow (`/oauth/device/code` with `audience`, `verification_uri_complete`,
// `expired_token` exactly once then `invalid_grant`), `/oauth/token` (client credentials
// with a required `audience`; refresh-token rotation with reuse detection that revokes the
// family), the issuer `https://{domain}/` WITH its trailing slash, `/.well-known/jwks.json`,
// `auth0|…` user ids.
import { randomBytes, randomUUID } from 'node:crypto';
import { DeviceAuthorizations } from './device-authorizations.js';
import { serveDouble, type DoubleRequest, type Reply } from './double-server.js';
import { createSigningKey } from './signing-key.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface Auth0DoubleOptions {
  /** Seconds between polls the device endpoint asks for (default 1, to keep tests fast). */
  interval?: number;
}

export interface Auth0Double {
  /** The tenant's origin, e.g. `http://127.0.0.1:PORT` (stands for `https://{domain}`). */
  url: string;
  /** `${url}/`: Auth0 issuers end with a slash. */
  issuer: string;
  /** The API identifier registered on the tenant. */
  audience: string;
  clients: { native: string; machine: { id: string; secret: string } };
  user: { sub: string };
  approveDevice(userCode: string): void;
  devices: DeviceAuthorizations;
  /** Token and device requests as received, secrets replaced by their kind. */
  requests: Array<{ path: string } & Record<string, string>>;
  /** Refresh-token families revoked because an invalidated refresh token was reused. */
  revokedFamilies(): number;
  /** Lifetime of the access tokens issued from now on (a short one makes the next `print-token` refresh). */
  setAccessTokenTtl(seconds: number): void;
  close(): Promise<void>;
}

export async function startAuth0Double(options: Auth0DoubleOptions = {}): Promise<Auth0Double> {
  const key = await createSigningKey();
  const audience = 'https://api.example.com/';
  const clients = { native: randomBytes(16).toString('hex'), machine: { id: randomBytes(16).toString('hex'), secret: randomBytes(32).toString('base64url') } };
  const user = { sub: `auth0|${randomBytes(12).toString('hex')}` };
  const devices = new DeviceAuthorizations(900);
  const expiredOnce = new Set<string>();
  /** Refresh token → its family; `current` is the only one of a family still usable. */
  const refreshTokens = new Map<string, { family: string; clientId: string; scope: string; audience?: string }>();
  const current = new Map<string, string>();
  let revoked = 0;
  const requests: Array<{ path: string } & Record<string, string>> = [];
  let accessTokenTtl = 86400;
  let base = '';

  const error = (status: number, code: string, description: string): Reply => ({ status, body: { error: code, error_description: description } });

  async function issue(clientId: string, scope: string, grantAudience: string | undefined, subject: string, family?: string): Promise<Reply> {
    const scopes = scope.split(' ').filter(Boolean);
    // Without an audience Auth0 issues an opaque token for /userinfo only.
    const access_token =
      grantAudience === undefined
        ? randomBytes(24).toString('base64url')
        : await key.sign({ iss: `${base}/`, sub: subject, aud: [grantAudience, `${base}/userinfo`], azp: clientId, scope, jti: randomUUID() }, accessTokenTtl);
    const body: Record<string, unknown> = { access_token, token_type: 'Bearer', expires_in: accessTokenTtl, ...(scope ? { scope } : {}) };
    if (scopes.includes('openid')) body.id_token = await key.sign({ iss: `${base}/`, sub: subject, aud: clientId }, 36000);
    if (scopes.includes('offline_access')) {
      const refresh = randomBytes(32).toString('base64url');
      const familyId = family ?? randomUUID();
      refreshTokens.set(refresh, { family: familyId, clientId, scope, ...(grantAudience === undefined ? {} : { audience: grantAudience }) });
      current.set(familyId, refresh);
      body.refresh_token = refresh;
    }
    return { status: 200, body };
  }

  function clientSecretOf(request: DoubleRequest): { id: string; secret?: string } {
    if (request.basic) return { id: request.basic.username, secret: request.basic.password };
    const secret = request.form.get('client_secret');
    return { id: request.form.get('client_id') ?? '', ...(secret === null ? {} : { secret }) };
  }

  async function token(request: DoubleRequest): Promise<Reply> {
    const form = request.form;
    const client = clientSecretOf(request);
    switch (form.get('grant_type')) {
      case DEVICE_GRANT: {
        const deviceCode = form.get('device_code') ?? '';
        const outcome = devices.poll(deviceCode, client.id);
        switch (outcome.state) {
          case 'pending':
            return error(403, 'authorization_pending', 'User has yet to authorize device code.');
          case 'slow_down':
            return error(429, 'slow_down', 'You are polling faster than the specified interval of 5 seconds.');
          case 'expired':
            // Reported exactly once, then the code is unknown (https://auth0.com/docs/get-started/authentication-and-authorization-flow/device-authorization-flow).
            if (expiredOnce.has(deviceCode)) return error(403, 'invalid_grant', 'Invalid or expired device code.');
            expiredOnce.add(deviceCode);
            return error(403, 'expired_token', 'The device_code has expired.');
          case 'denied':
            return error(403, 'access_denied', 'User cancelled the confirmation prompt or consent page.');
          case 'unknown':
            return error(403, 'invalid_grant', 'Invalid or expired device code.');
          case 'approved':
            return issue(client.id, outcome.grant.scope, outcome.grant.parameters.audience, outcome.grant.subject);
        }
      }
      // falls through: every case above returns
      case 'refresh_token': {
        const presented = form.get('refresh_token') ?? '';
        const grant = refreshTokens.get(presented);
        if (grant === undefined || grant.clientId !== client.id) return error(403, 'invalid_grant', 'Unknown or invalid refresh token.');
        if (current.get(grant.family) !== presented) {
          // Reuse of a rotated-out token: the whole family is revoked (https://auth0.com/docs/secure/tokens/refresh-tokens/refresh-token-rotation).
          current.delete(grant.family);
          revoked += 1;
          return error(403, 'invalid_grant', 'Unknown or invalid refresh token.');
        }
        return issue(client.id, grant.scope, grant.audience, user.sub, grant.family);
      }
      case 'client_credentials': {
        if (client.id !== clients.machine.id || client.secret !== clients.machine.secret) {
          return error(401, 'access_denied', 'Unauthorized');
        }
        const requested = form.get('audience');
        if (!requested) return error(403, 'access_denied', 'No audience parameter was provided, and no default audience has been configured');
        if (requested !== audience) return error(403, 'access_denied', `Service not found: ${requested}`);
        return issue(client.id, '', requested, `${client.id}@clients`);
      }
      default:
        return error(403, 'unsupported_grant_type', `Unsupported grant type: ${form.get('grant_type')}`);
    }
  }

  const server = await serveDouble(async (request) => {
    if (request.method === 'POST') {
      requests.push({
        path: request.path,
        ...Object.fromEntries(
          [...request.form].map(([name, value]) => [name, ['client_secret', 'refresh_token', 'device_code'].includes(name) ? `<${name}>` : value]),
        ),
      });
    }
    if (request.method === 'GET' && request.path === '/.well-known/openid-configuration') {
      return {
        status: 200,
        body: {
          issuer: `${base}/`,
          authorization_endpoint: `${base}/authorize`,
          token_endpoint: `${base}/oauth/token`,
          device_authorization_endpoint: `${base}/oauth/device/code`,
          userinfo_endpoint: `${base}/userinfo`,
          jwks_uri: `${base}/.well-known/jwks.json`,
          revocation_endpoint: `${base}/oauth/revoke`,
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
          id_token_signing_alg_values_supported: ['HS256', 'RS256', 'PS256'],
        },
      };
    }
    if (request.method === 'GET' && request.path === '/.well-known/jwks.json') return { status: 200, body: key.jwks() };
    if (request.method === 'POST' && request.path === '/oauth/device/code') {
      const clientId = request.form.get('client_id') ?? '';
      if (clientId !== clients.native) return error(401, 'unauthorized_client', 'Unauthorized or unknown client');
      const requested = request.form.get('audience');
      if (requested !== null && requested !== audience) return error(403, 'access_denied', `Service not found: ${requested}`);
      const { device_code, user_code } = devices.create(clientId, request.form.get('scope') ?? '', requested === null ? {} : { audience: requested });
      return {
        status: 200,
        body: {
          device_code,
          user_code,
          verification_uri: `${base}/activate`,
          verification_uri_complete: `${base}/activate?user_code=${user_code}`,
          expires_in: devices.lifetimeSeconds,
          interval: options.interval ?? 1,
        },
      };
    }
    if (request.method === 'POST' && request.path === '/oauth/token') return token(request);
    return { status: 404, body: { error: 'not_found', error_description: 'Not Found' } };
  });
  base = server.url;

  return {
    url: base,
    issuer: `${base}/`,
    audience,
    clients,
    user,
    devices,
    approveDevice: (userCode) => devices.approve(userCode, user.sub),
    requests,
    revokedFamilies: () => revoked,
    setAccessTokenTtl: (seconds) => {
      accessTokenTtl = seconds;
    },
    close: server.close,
  };
}
