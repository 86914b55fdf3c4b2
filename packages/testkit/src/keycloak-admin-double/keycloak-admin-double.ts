// Contract double of Keycloak's admin REST API and the realm token endpoints
// it needs, following Keycloak's Admin REST API documentation
// (https://www.keycloak.org/docs-api/latest/rest-api/) and server administration guide:
// - base paths: `{base}/realms/…` and `{base}/admin/realms/…`, with an optional `/auth` base path;
// - the master-realm password grant for `admin-cli`, the token response and errors,
//   realm discovery, certs (JWKS) and client-credentials logins of registered clients;
// - the ClientManager calls: clients (exact `clientId` lookup, 201 + `Location`, 204 on
//   update and delete, secrets), `service-account-user` (400 when service accounts are off),
//   realm roles, role mappings needing `id` and `name`, users (create, exact find, reset-password);
// - status codes and both error shapes: `{"errorMessage":…}` (409 "Client X already exists")
//   and `{"error":…}` (401 "HTTP 401 Unauthorized", 403 "HTTP 403 Forbidden", 404s).
// Tokens are RS256 JWTs; every admin call verifies its bearer through the master realm's JWKS.
// Statuses and bodies were checked against Keycloak 26.7.3 (apps/cli/test/keycloak/ runs the
// same calls on the real server); provider-keycloak's README lists where they first differed.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createSigningKey, type SigningKey } from '../doubles/signing-key.js';
import { readText } from '../request-body.js';
import { RealmModel, type Answer } from './realm-model.js';

export interface KeycloakAdminDoubleOptions {
  /** The realm administered (default `insights`). */
  realm?: string;
  /** Realm roles besides Keycloak's built-ins (default `insights.query`, `insights.schema.get`, `insights.admin`). */
  roles?: string[];
  /** `/auth` for the pre-17 layout (default none). */
  basePath?: string;
  /** The master-realm administrator (default `admin` with a random password). */
  admin?: { username: string; password: string };
  /** Admin token lifetime in seconds (Keycloak's default for master is 60). */
  adminTokenTtl?: number;
  /** Serve HTTPS with this key and certificate (e.g. from `createTestCA`) instead of HTTP. */
  tls?: { key: string; cert: string };
}

export interface RecordedRequest {
  method: string;
  /** Path and query, under `{base}`. */
  path: string;
  status: number;
}

export interface KeycloakAdminDouble {
  /** Server origin, e.g. `http://127.0.0.1:PORT` (`https://` with the `tls` option; the profile's `url`). */
  url: string;
  /** `url` + base path: where `/realms` and `/admin` live. */
  base: string;
  realm: string;
  admin: { username: string; password: string };
  /** The administered realm's state, for assertions. */
  model: RealmModel;
  /** Every request, in order (no bodies: they carry secrets). */
  requests: RecordedRequest[];
  /** Admin REST requests only (`/admin/realms/…`). */
  adminRequests(): RecordedRequest[];
  /** Names of the realm roles a user (or `service-account-<clientId>`) holds. */
  rolesOf(username: string): string[];
  close(): Promise<void>;
}

const MASTER = 'master';
const ADMIN_CLI = 'admin-cli';
const DEFAULT_ROLES = ['insights.query', 'insights.schema.get', 'insights.admin'];

export async function startKeycloakAdminDouble(options: KeycloakAdminDoubleOptions = {}): Promise<KeycloakAdminDouble> {
  const realmName = options.realm ?? 'insights';
  const basePath = options.basePath ?? '';
  const admin = options.admin ?? { username: 'admin', password: `admin-${Math.random().toString(36).slice(2)}` };
  const adminTtl = options.adminTokenTtl ?? 60;
  const model = new RealmModel(realmName, options.roles ?? DEFAULT_ROLES);
  const keys = new Map<string, SigningKey>([
    [MASTER, await createSigningKey()],
    [realmName, await createSigningKey()],
  ]);
  const requests: RecordedRequest[] = [];
  let url = '';
  // The master realm's published JWKS, read in-process: over HTTPS a fetch of it would need the test CA trusted here too.
  const masterJwks = createLocalJWKSet(keys.get(MASTER)!.jwks());

  const issuer = (realm: string) => `${url}${basePath}/realms/${realm}`;
  const oauthError = (status: number, error: string, description: string): Answer => ({ status, body: { error, error_description: description } });

  /** Keycloak's token response, `not-before-policy` with dashes. */
  async function tokenResponse(realm: string, claims: Record<string, unknown>, ttl: number): Promise<Answer> {
    const accessToken = await keys.get(realm)!.sign({ iss: issuer(realm), typ: 'Bearer', ...claims }, ttl);
    return {
      status: 200,
      body: { access_token: accessToken, expires_in: ttl, refresh_expires_in: 0, token_type: 'Bearer', 'not-before-policy': 0, scope: 'profile email' },
    };
  }

  async function token(realm: string, form: URLSearchParams, basic: { id: string; secret: string } | undefined): Promise<Answer> {
    const grant = form.get('grant_type');
    if (realm === MASTER && grant === 'password') {
      if ((basic?.id ?? form.get('client_id')) !== ADMIN_CLI) return oauthError(401, 'invalid_client', 'Invalid client or Invalid client credentials');
      if (form.get('username') !== admin.username || form.get('password') !== admin.password) {
        return oauthError(400, 'invalid_grant', 'Invalid user credentials');
      }
      return tokenResponse(MASTER, { sub: 'admin-user', azp: ADMIN_CLI, preferred_username: admin.username, realm_access: { roles: ['admin'] } }, adminTtl);
    }
    if (realm === realmName && grant === 'client_credentials') {
      const id = basic?.id ?? form.get('client_id') ?? '';
      const secret = basic?.secret ?? form.get('client_secret');
      const client = model.clientByClientId(id);
      if (!client || client.publicClient || client.secret !== secret) return oauthError(401, 'unauthorized_client', 'Invalid client or Invalid client credentials');
      if (!client.serviceAccountsEnabled) return oauthError(401, 'unauthorized_client', 'Client not enabled to retrieve service account');
      const user = model.userByName(`service-account-${client.clientId}`)!;
      const ttl = Number(client.attributes['access.token.lifespan'] ?? 300);
      return tokenResponse(realmName, { sub: user.id, azp: client.clientId, clientId: client.clientId, realm_access: { roles: [...user.roles] } }, ttl);
    }
    if (realm !== MASTER && realm !== realmName) return { status: 404, body: { error: 'Realm does not exist' } };
    return oauthError(400, 'unsupported_grant_type', 'Unsupported grant_type');
  }

  function discovery(realm: string): Answer {
    const oidc = `${issuer(realm)}/protocol/openid-connect`;
    return {
      status: 200,
      body: {
        issuer: issuer(realm),
        authorization_endpoint: `${oidc}/auth`,
        token_endpoint: `${oidc}/token`,
        jwks_uri: `${oidc}/certs`,
        revocation_endpoint: `${oidc}/revoke`,
        grant_types_supported: ['authorization_code', 'client_credentials', 'password', 'refresh_token'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      },
    };
  }

  /** 401 without a bearer the master realm signed; 403 without its `admin` role (Keycloak's ErrorResponse and OAuth2ErrorRepresentation (https://github.com/keycloak/keycloak/blob/main/services/src/main/java/org/keycloak/services/ErrorResponse.java, https://github.com/keycloak/keycloak/issues/25696)). */
  async function authorize(req: IncomingMessage): Promise<Answer | undefined> {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) return { status: 401, body: { error: 'HTTP 401 Unauthorized' } };
    try {
      const { payload } = await jwtVerify(header.slice(7), masterJwks, { issuer: issuer(MASTER), algorithms: ['RS256'] });
      const roles = (payload.realm_access as { roles?: string[] } | undefined)?.roles ?? [];
      if (!roles.includes('admin')) return { status: 403, body: { error: 'HTTP 403 Forbidden' } };
      return undefined;
    } catch {
      return { status: 401, body: { error: 'HTTP 401 Unauthorized' } };
    }
  }

  async function adminApi(method: string, rest: string[], query: URLSearchParams, body: unknown): Promise<Answer> {
    const json = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const at = (...segments: string[]) => `${url}${basePath}/admin/realms/${realmName}/${segments.join('/')}`;
    const [collection, id, sub, leaf] = rest;
    const route = `${method} ${[collection, id === undefined ? '' : ':id', sub ?? '', leaf ?? ''].filter(Boolean).join('/')}`;
    switch (route) {
      case 'GET clients':
        return model.findClients(query);
      case 'POST clients':
        return model.createClient(json, (newId) => at('clients', newId));
      case 'GET clients/:id':
        return model.getClient(id!);
      case 'PUT clients/:id':
        return model.updateClient(id!, json);
      case 'DELETE clients/:id':
        return model.deleteClient(id!);
      case 'GET clients/:id/client-secret':
        return model.clientSecret(id!, false);
      case 'POST clients/:id/client-secret':
        return model.clientSecret(id!, true);
      case 'GET clients/:id/service-account-user':
        return model.serviceAccountUserOf(id!);
      case 'GET roles':
        return model.listRoles();
      case 'GET roles/:id':
        return model.getRole(id!);
      case 'GET users':
        return model.findUsers(query);
      case 'POST users':
        return model.createUser(json, (newId) => at('users', newId));
      case 'DELETE users/:id':
        return model.deleteUser(id!);
      case 'PUT users/:id/reset-password':
        return model.resetPassword(id!, json);
      case 'GET users/:id/role-mappings/realm':
        return model.roleMappings(id!);
      case 'POST users/:id/role-mappings/realm':
        return model.changeRoleMappings(id!, body, true);
      case 'DELETE users/:id/role-mappings/realm':
        return model.changeRoleMappings(id!, body, false);
      default:
        return { status: 404, body: { error: 'HTTP 404 Not Found' } };
    }
  }

  async function route(req: IncomingMessage): Promise<Answer> {
    const requestUrl = new URL(req.url ?? '/', 'http://double');
    if (!requestUrl.pathname.startsWith(`${basePath}/`)) return { status: 404, body: { error: 'HTTP 404 Not Found' } };
    const parts = requestUrl.pathname.slice(basePath.length).split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const raw = await readText(req);

    if (parts[0] === 'realms' && parts[1] !== undefined) {
      const realm = parts[1];
      if (realm !== MASTER && realm !== realmName) return { status: 404, body: { error: 'Realm does not exist' } };
      const tail = parts.slice(2).join('/');
      if (method === 'GET' && tail === '.well-known/openid-configuration') return discovery(realm);
      if (method === 'GET' && tail === 'protocol/openid-connect/certs') return { status: 200, body: keys.get(realm)!.jwks() };
      if (method === 'POST' && tail === 'protocol/openid-connect/token') {
        return token(realm, new URLSearchParams(raw), basicCredentials(req));
      }
    }
    if (parts[0] === 'admin' && parts[1] === 'realms' && parts[2] !== undefined) {
      const refused = await authorize(req);
      if (refused) return refused;
      if (parts[2] !== realmName) return { status: 404, body: { error: 'Realm not found.' } };
      let body: unknown;
      try {
        body = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        return { status: 400, body: { error: 'unknown_error' } };
      }
      return adminApi(method, parts.slice(3), requestUrl.searchParams, body);
    }
    return { status: 404, body: { error: 'HTTP 404 Not Found' } };
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      let answer: Answer;
      try {
        answer = await route(req);
      } catch (error) {
        answer = { status: 500, body: { error: 'unknown_error', error_description: String(error) } };
      }
      requests.push({ method: req.method ?? 'GET', path: (req.url ?? '/').slice(basePath.length), status: answer.status });
      send(res, answer);
    })();
  };
  const server = options.tls === undefined ? createHttpServer(handle) : createHttpsServer(options.tls, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    base: `${url}${basePath}`,
    realm: realmName,
    admin,
    model,
    requests,
    adminRequests: () => requests.filter((r) => r.path.startsWith('/admin/')),
    rolesOf: (username) => [...(model.userByName(username)?.roles ?? [])].sort(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, answer: Answer): void {
  const json = answer.body === undefined ? '' : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...(answer.body === undefined ? {} : { 'content-type': 'application/json' }),
    'cache-control': 'no-store',
    ...answer.headers,
  });
  res.end(json);
}

/** RFC 6749 §2.3.1: Basic credentials are form-encoded before base64. */
function basicCredentials(req: IncomingMessage): { id: string; secret: string } | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const unform = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
  return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
}
