// Contract double of Azure managed identities, following Microsoft's "How to use managed
// identities for Azure resources on an Azure VM to acquire an access token"
// (https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token),
// "How to use managed identities for App Service and Azure Functions"
// (https://learn.microsoft.com/azure/app-service/overview-managed-identity, REST protocol, api-version 2019-08-01)
// and "Microsoft identity platform access tokens"
// (https://learn.microsoft.com/entra/identity-platform/access-tokens):
// - IMDS: GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=…[&client_id=…], header
//   `Metadata: true` required (400 bad_request_102 without it); the answer's numbers are strings.
// - App Service: GET <IDENTITY_ENDPOINT>?resource=…&api-version=2019-08-01, header X-IDENTITY-HEADER.
// - v1 access tokens, RS256, iss https://sts.windows.net/<tenant>/, with aud, tid, oid, appid and
//   xms_mirid (the managed identity's resource id; for a user-assigned identity also xms_az_rid, the
//   resource it is attached to); the signing keys at /<tenant>/discovery/keys as on login.microsoftonline.com.
import { randomBytes, randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { serveDouble, type DoubleRequest, type Reply } from './double-server.js';
import { createSigningKey } from './signing-key.js';

export interface AzureManagedIdentity {
  /** The identity's application (client) id: `client_id` on an IMDS request, `appid` in its tokens. */
  clientId: string;
  /** The service principal's object id: `oid` in its tokens. */
  objectId: string;
  /** `xms_mirid`: the managed identity's ARM resource id. */
  resourceId: string;
}

export interface AzureImdsDouble {
  /** Stands for `http://169.254.169.254`: IMDS at `<url>/metadata/identity/oauth2/token`. */
  url: string;
  /** App Service's `IDENTITY_ENDPOINT` and `IDENTITY_HEADER`. */
  appService: { endpoint: string; header: string };
  tenantId: string;
  /** `https://sts.windows.net/<tenant>/`, the issuer of v1 tokens. */
  issuer: string;
  /** The tenant's signing keys (`https://login.microsoftonline.com/<tenant>/discovery/keys` in Azure). */
  jwksUrl: string;
  /** The VM's ARM resource id (`xms_mirid` of its system-assigned identity, `xms_az_rid` of a user-assigned one). */
  vmResourceId: string;
  /** The VM's system-assigned identity: what IMDS answers without `client_id`. */
  systemAssigned: AzureManagedIdentity;
  /** A user-assigned identity attached to the VM, asked for by its `client_id`. */
  userAssigned: AzureManagedIdentity;
  /** Token requests as received: path, query and the identity headers. */
  requests: Array<{ path: string; query: Record<string, string>; metadata?: string; identityHeader?: string }>;
  /** A token as IMDS would issue it for `identity`, with `overrides` applied (a test's forged or foreign token). */
  mint(identity: AzureManagedIdentity, resource: string, overrides?: JWTPayload): Promise<string>;
  close(): Promise<void>;
}

/** Token lifetime of managed identities: about a day, as Azure issues them. */
const LIFETIME = 24 * 3600;

export async function startAzureImdsDouble(): Promise<AzureImdsDouble> {
  const key = await createSigningKey();
  const tenantId = randomUUID();
  const subscription = randomUUID();
  const group = `/subscriptions/${subscription}/resourcegroups/rg-test/providers`;
  const vmResourceId = `${group}/Microsoft.Compute/virtualMachines/vm-test`;
  const systemAssigned = { clientId: randomUUID(), objectId: randomUUID(), resourceId: vmResourceId };
  const userAssigned = { clientId: randomUUID(), objectId: randomUUID(), resourceId: `${group}/Microsoft.ManagedIdentity/userAssignedIdentities/id-test` };
  const identityHeader = randomBytes(16).toString('hex');
  const issuer = `https://sts.windows.net/${tenantId}/`;
  const requests: AzureImdsDouble['requests'] = [];

  const mint = (identity: AzureManagedIdentity, resource: string, overrides: JWTPayload = {}) =>
    key.sign(
      {
        aud: resource,
        iss: issuer,
        nbf: Math.floor(Date.now() / 1000) - 5,
        tid: tenantId,
        oid: identity.objectId,
        sub: identity.objectId,
        appid: identity.clientId,
        appidacr: '2',
        idtyp: 'app',
        ver: '1.0',
        xms_mirid: identity.resourceId,
        ...(identity === userAssigned ? { xms_az_rid: vmResourceId } : {}),
        uti: randomBytes(16).toString('base64url'),
        ...overrides,
      },
      LIFETIME,
    );

  /** The 2018-02-01 IMDS answer: every number a string. */
  async function issue(identity: AzureManagedIdentity, resource: string): Promise<Reply> {
    const now = Math.floor(Date.now() / 1000);
    return {
      status: 200,
      body: {
        access_token: await mint(identity, resource),
        client_id: identity.clientId,
        expires_in: String(LIFETIME),
        expires_on: String(now + LIFETIME),
        ext_expires_in: String(LIFETIME),
        not_before: String(now),
        resource,
        token_type: 'Bearer',
      },
    };
  }

  const failure = (status: number, error: string, description: string): Reply => ({ status, body: { error, error_description: description } });

  function identityFor(clientId: string | null): AzureManagedIdentity | undefined {
    if (clientId === null) return systemAssigned;
    return [systemAssigned, userAssigned].find((identity) => identity.clientId === clientId);
  }

  const server = await serveDouble(async (request: DoubleRequest) => {
    const query = request.form;
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    if (request.method === 'GET' && request.path === `/${tenantId}/discovery/keys`) return { status: 200, body: key.jwks() };
    if (request.path === '/metadata/identity/oauth2/token') {
      const metadata = header('metadata');
      requests.push({ path: request.path, query: Object.fromEntries(query), ...(metadata === undefined ? {} : { metadata }) });
      if (metadata !== 'true') return failure(400, 'bad_request_102', 'Required metadata header not specified');
      if (query.get('api-version') !== '2018-02-01') return failure(400, 'invalid_request', 'Invalid api-version');
      const resource = query.get('resource');
      if (!resource) return failure(400, 'invalid_request', 'Required query variable resource is missing');
      const identity = identityFor(query.get('client_id'));
      if (identity === undefined) return failure(400, 'invalid_request', 'Identity not found');
      return issue(identity, resource);
    }
    if (request.path === '/msi/token') {
      const identityHeaderSent = header('x-identity-header');
      requests.push({ path: request.path, query: Object.fromEntries(query), ...(identityHeaderSent === undefined ? {} : { identityHeader: identityHeaderSent }) });
      if (identityHeaderSent !== identityHeader) {
        return { status: 401, body: { statusCode: 401, message: 'Unauthorized: the X-IDENTITY-HEADER header is missing or wrong' } };
      }
      if (query.get('api-version') !== '2019-08-01') return { status: 400, body: { statusCode: 400, message: 'Unsupported api-version' } };
      const resource = query.get('resource');
      if (!resource) return { status: 400, body: { statusCode: 400, message: 'resource is required' } };
      const identity = identityFor(query.get('client_id'));
      if (identity === undefined) return { status: 400, body: { statusCode: 400, message: 'Identity not found' } };
      return issue(identity, resource);
    }
    return { status: 404, body: { error: 'not_found' } };
  });

  return {
    url: server.url,
    appService: { endpoint: `${server.url}/msi/token`, header: identityHeader },
    tenantId,
    issuer,
    jwksUrl: `${server.url}/${tenantId}/discovery/keys`,
    vmResourceId,
    systemAssigned,
    userAssigned,
    requests,
    mint,
    close: server.close,
  };
}
