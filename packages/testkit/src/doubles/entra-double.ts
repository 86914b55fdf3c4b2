// Contract double of Microsoft Entra ID v2.0, following the Microsoft identity platform's
// protocol documents (https://learn.microsoft.com/entra/identity-platform/): endpoints per tenant (GUID, domain, organizations, common), device code
// (no verification_uri_complete, a `message`; errors with AADSTS codes and `error_codes`),
// scopes (`{resource}/.default`, `offline_access` for a refresh token), `tid`/`oid`/
// pairwise `sub`, the `{tenantid}` issuer template for multi-tenant discovery,
// certificate client assertions (PS256 + x5t#S256, or RS256 + x5t; aud = token endpoint),
// workload identity federation (a Kubernetes token as the client assertion).
import { createHash, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, importX509, jwtVerify, type JWTPayload } from 'jose';
import { DeviceAuthorizations } from './device-authorizations.js';
import { serveDouble, type DoubleRequest, type Reply } from './double-server.js';
import { createSigningKey } from './signing-key.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The audience of a workload identity token (https://azure.github.io/azure-workload-identity/docs/topics/mutating-admission-webhook.html). */
export const AZURE_TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export interface EntraDoubleOptions {
  /** A registered certificate (PEM) for the confidential client. */
  certificate: string;
  /** Seconds between polls the device endpoint asks for (default 1, to keep tests fast). */
  interval?: number;
}

export interface EntraDouble {
  /** Authority host with its trailing slash, like AZURE_AUTHORITY_HOST. */
  authorityHost: string;
  tenantId: string;
  domain: string;
  clients: { public: string; confidential: string; federated: string };
  /** Object ids of the service principals of the confidential and federated clients. */
  servicePrincipals: Record<string, string>;
  user: { oid: string; name: string };
  /** The issuer and subject the federated client trusts (the "Kubernetes" side). */
  federation: { issuer: string; subject: string };
  /** The person approves (or denies) a code shown by a device login. */
  approveDevice(userCode: string): void;
  devices: DeviceAuthorizations;
  /** A projected service-account token the federated client's credential matches. */
  federatedToken(overrides?: JWTPayload): Promise<string>;
  /** Token requests as received, secrets and assertions replaced by their kind. */
  tokenRequests: Array<Record<string, string>>;
  /** Header of each client assertion accepted. */
  assertionHeaders: Array<Record<string, unknown>>;
  /** Lifetime of the access tokens issued from now on (a short one makes the next `print-token` refresh). */
  setAccessTokenTtl(seconds: number): void;
  close(): Promise<void>;
}

export async function startEntraDouble(options: EntraDoubleOptions): Promise<EntraDouble> {
  const key = await createSigningKey();
  const federationKey = await createSigningKey();
  const certificate = new X509Certificate(options.certificate);
  const thumbprints = {
    'x5t#S256': createHash('sha256').update(certificate.raw).digest('base64url'),
    x5t: createHash('sha1').update(certificate.raw).digest('base64url'),
  };
  const tenantId = randomUUID();
  const domain = 'contoso.onmicrosoft.com';
  const clients = { public: randomUUID(), confidential: randomUUID(), federated: randomUUID() };
  const user = { oid: randomUUID(), name: 'Alice Example' };
  const servicePrincipals = { [clients.confidential]: randomUUID(), [clients.federated]: randomUUID() };
  const federation = { issuer: 'https://oidc.prod-aks.azure.com/test-cluster/', subject: 'system:serviceaccount:default:workload' };
  const devices = new DeviceAuthorizations(900);
  const refreshTokens = new Map<string, { clientId: string; scope: string }>();
  const tokenRequests: Array<Record<string, string>> = [];
  const assertionHeaders: Array<Record<string, unknown>> = [];
  let accessTokenTtl = 3600;
  let base = '';

  const issuer = () => `${base}/${tenantId}/v2.0`;
  const knownTenant = (tenant: string) => [tenantId, domain, 'organizations', 'common'].includes(tenant);

  /** Entra error bodies (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code) carry an AADSTS code in the description and in `error_codes`. */
  const failure = (status: number, error: string, code: number, description: string): Reply => ({
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`,
      error_codes: [code],
      timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z',
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    },
  });

  async function issue(clientId: string, scope: string, subject: { oid: string; name?: string; app?: boolean }): Promise<Reply> {
    const scopes = scope.split(' ').filter(Boolean);
    const resource = scopes.find((s) => s.endsWith('/.default'))?.slice(0, -'/.default'.length) ?? '00000003-0000-0000-c000-000000000000';
    const common = { iss: issuer(), tid: tenantId, oid: subject.oid, sub: createHash('sha256').update(`${clientId}:${subject.oid}`).digest('base64url'), ver: '2.0', uti: randomBytes(16).toString('base64url') };
    const access_token = await key.sign(
      { ...common, aud: resource, azp: clientId, ...(subject.app ? { roles: ['access'] } : { scp: 'access', name: subject.name }) },
      accessTokenTtl,
    );
    const body: Record<string, unknown> = { token_type: 'Bearer', scope, expires_in: accessTokenTtl, ext_expires_in: accessTokenTtl, access_token };
    if (scopes.includes('openid')) body.id_token = await key.sign({ ...common, aud: clientId, name: subject.name }, 3600);
    if (scopes.includes('offline_access') && !subject.app) {
      const refresh = randomBytes(32).toString('base64url');
      refreshTokens.set(refresh, { clientId, scope });
      body.refresh_token = refresh;
    }
    return { status: 200, body };
  }

  /** The client assertion of a confidential or federated client (https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials). */
  async function authenticate(request: DoubleRequest, tenant: string): Promise<Reply | undefined> {
    const clientId = request.form.get('client_id') ?? '';
    const assertion = request.form.get('client_assertion');
    if (request.form.get('client_assertion_type') !== JWT_BEARER || !assertion) {
      return failure(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    const header = decodeProtectedHeader(assertion);
    try {
      if (clientId === clients.federated) {
        const { payload } = await jwtVerify(assertion, federationKey.publicKey, { issuer: federation.issuer, audience: AZURE_TOKEN_EXCHANGE_AUDIENCE });
        if (payload.sub !== federation.subject) throw new Error('subject');
      } else if (clientId === clients.confidential) {
        const thumbprint =
          header.alg === 'PS256' ? header['x5t#S256'] === thumbprints['x5t#S256'] : header.alg === 'RS256' && header.x5t === thumbprints.x5t;
        if (!thumbprint) {
          return failure(401, 'invalid_client', 700027, 'The certificate with identifier used to sign the client assertion is not registered on application.');
        }
        const { payload } = await compactVerify(assertion, await importX509(options.certificate, String(header.alg)));
        const claims = JSON.parse(new TextDecoder().decode(payload)) as JWTPayload;
        const now = Math.floor(Date.now() / 1000);
        if (claims.aud !== `${base}/${tenant}/oauth2/v2.0/token` || claims.iss !== clientId || claims.sub !== clientId || typeof claims.jti !== 'string') {
          return failure(401, 'invalid_client', 700021, 'Client assertion audience claim does not match Realm issuer.');
        }
        if (typeof claims.exp !== 'number' || claims.exp <= now) return failure(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
      } else {
        return failure(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory.`);
      }
    } catch {
      return failure(401, 'invalid_client', clientId === clients.federated ? 70021 : 7000274, 'No matching federated identity record found for presented assertion.');
    }
    assertionHeaders.push(header);
    return undefined;
  }

  async function token(request: DoubleRequest, tenant: string): Promise<Reply> {
    const form = request.form;
    tokenRequests.push(
      Object.fromEntries(
        [...form].map(([name, value]) => [name, ['client_assertion', 'client_secret', 'refresh_token', 'device_code'].includes(name) ? `<${name}>` : value]),
      ),
    );
    const clientId = form.get('client_id') ?? '';
    switch (form.get('grant_type')) {
      case DEVICE_GRANT: {
        const outcome = devices.poll(form.get('device_code') ?? '', clientId);
        switch (outcome.state) {
          case 'pending':
            return failure(400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
          case 'slow_down':
            return failure(400, 'slow_down', 70016, 'OAuth 2.0 device flow error. Polling too fast.');
          case 'expired':
            return failure(400, 'expired_token', 70020, 'The provided value for the input parameter \'device_code\' is not valid. This device code has expired.');
          case 'denied':
            return failure(400, 'authorization_declined', 70000, 'The user declined the authorization request.');
          case 'unknown':
            return failure(400, 'bad_verification_code', 70019, "The provided value for the input parameter 'device_code' is not valid.");
          case 'approved':
            return issue(clientId, outcome.grant.scope, user);
        }
      }
      // falls through: every case above returns
      case 'refresh_token': {
        const scope = form.get('scope');
        if (!scope) return failure(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
        const grant = refreshTokens.get(form.get('refresh_token') ?? '');
        if (grant === undefined || grant.clientId !== clientId) {
          return failure(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
        }
        return issue(clientId, scope, user);
      }
      case 'client_credentials': {
        const rejected = await authenticate(request, tenant);
        if (rejected !== undefined) return rejected;
        const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
        if (scopes.length !== 1 || !scopes[0]!.endsWith('/.default')) {
          return failure(400, 'invalid_scope', 1002012, `The provided value for scope ${scopes.join(' ')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
        }
        return issue(clientId, scopes[0]!, { oid: servicePrincipals[clientId] ?? randomUUID(), app: true });
      }
      default:
        return failure(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${form.get('grant_type')}'.`);
    }
  }

  const server = await serveDouble(async (request) => {
    const [, tenant = '', ...rest] = request.path.split('/');
    const path = `/${rest.join('/')}`;
    if (!knownTenant(tenant)) return failure(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
    if (request.method === 'GET' && path === '/v2.0/.well-known/openid-configuration') {
      const multiTenant = tenant === 'organizations' || tenant === 'common';
      return {
        status: 200,
        body: {
          issuer: multiTenant ? `${base}/{tenantid}/v2.0` : issuer(),
          authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
          device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
          jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          id_token_signing_alg_values_supported: ['RS256'],
        },
      };
    }
    if (request.method === 'GET' && path === '/discovery/v2.0/keys') return { status: 200, body: key.jwks() };
    if (request.method === 'POST' && path === '/oauth2/v2.0/devicecode') {
      const clientId = request.form.get('client_id') ?? '';
      if (clientId !== clients.public) {
        return failure(400, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
      }
      const scope = request.form.get('scope') ?? '';
      const { device_code, user_code } = devices.create(clientId, scope, {});
      return {
        status: 200,
        body: {
          user_code,
          device_code,
          verification_uri: 'https://microsoft.com/devicelogin',
          expires_in: devices.lifetimeSeconds,
          interval: options.interval ?? 1,
          message: `To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ${user_code} to authenticate.`,
        },
      };
    }
    if (request.method === 'POST' && path === '/oauth2/v2.0/token') return token(request, tenant);
    return { status: 404, body: { error: 'not_found' } };
  });
  base = server.url;

  return {
    authorityHost: `${base}/`,
    tenantId,
    domain,
    clients,
    servicePrincipals,
    user,
    federation,
    devices,
    approveDevice: (userCode) => devices.approve(userCode, user.oid),
    federatedToken: (overrides = {}) =>
      federationKey.sign({ iss: federation.issuer, sub: federation.subject, aud: [AZURE_TOKEN_EXCHANGE_AUDIENCE], ...overrides }, 3600),
    tokenRequests,
    assertionHeaders,
    setAccessTokenTtl: (seconds) => {
      accessTokenTtl = seconds;
    },
    close: server.close,
  };
}
