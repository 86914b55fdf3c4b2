import { readFile } from 'node:fs/promises';
import { AuthError, platformFetch, type ProviderIO } from '@auth/core/provider';
import * as oauth from 'oauth4webapi';
import { z } from 'zod';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com/';
const TOKEN_ANSWER = z.object({ access_token: z.string().min(1) });

export interface ManagedIdentityTokenRequest {
  resource: string;
  /** A user-assigned identity's client id; none asks for the system-assigned identity. */
  clientId: string | undefined;
  imdsEndpoint: string;
  env: Readonly<Record<string, string | undefined>>;
  io: ProviderIO;
  /** `profiles.<name>`, for error messages. */
  where: string;
}

/**
 * An access token for `resource` from the platform this process runs on, in
 * the order of Azure's DefaultAzureCredential: workload identity when its
 * three variables are set (AKS), App Service / Functions when IDENTITY_ENDPOINT
 * and IDENTITY_HEADER are, else the VM's Instance Metadata Service.
 */
export function managedIdentityToken(request: ManagedIdentityTokenRequest): Promise<string> {
  const { env } = request;
  if (env.AZURE_FEDERATED_TOKEN_FILE && env.AZURE_CLIENT_ID && env.AZURE_TENANT_ID) {
    return workloadIdentityToken(request, { file: env.AZURE_FEDERATED_TOKEN_FILE, clientId: env.AZURE_CLIENT_ID, tenantId: env.AZURE_TENANT_ID });
  }
  if (env.IDENTITY_ENDPOINT && env.IDENTITY_HEADER) return appServiceToken(request, env.IDENTITY_ENDPOINT, env.IDENTITY_HEADER);
  return imdsToken(request);
}

/** "How to use managed identities … on an Azure VM to acquire an access token": IMDS, api-version 2018-02-01. */
async function imdsToken(request: ManagedIdentityTokenRequest): Promise<string> {
  const url = new URL('/metadata/identity/oauth2/token', request.imdsEndpoint);
  url.searchParams.set('api-version', '2018-02-01');
  url.searchParams.set('resource', request.resource);
  if (request.clientId !== undefined) url.searchParams.set('client_id', request.clientId);
  const what = 'the Azure Instance Metadata Service';
  const response = await platformFetch(request.io, url.href, { headers: { Metadata: 'true', Accept: 'application/json' } }, what,
    'this method needs an Azure VM or scale set with a managed identity; elsewhere set AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID (workload identity)');
  return tokenOf(response, url.href, what, request);
}

/** "Managed identities for App Service and Azure Functions", REST protocol, api-version 2019-08-01. */
async function appServiceToken(request: ManagedIdentityTokenRequest, endpoint: string, header: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (cause) {
    throw new AuthError('CONFIG_INVALID', 'IDENTITY_ENDPOINT is not an absolute URL', { hint: 'unset IDENTITY_ENDPOINT unless App Service or Functions set it', cause });
  }
  url.searchParams.set('api-version', '2019-08-01');
  url.searchParams.set('resource', request.resource);
  if (request.clientId !== undefined) url.searchParams.set('client_id', request.clientId);
  const what = 'the App Service managed identity endpoint (IDENTITY_ENDPOINT)';
  const response = await platformFetch(request.io, url.href, { headers: { 'X-IDENTITY-HEADER': header, Accept: 'application/json' } }, what,
    'check that the app has a managed identity; IDENTITY_ENDPOINT and IDENTITY_HEADER are set by App Service and Functions');
  return tokenOf(response, url.href, what, request);
}

/** Reads a managed identity endpoint's answer: 400 is a request this identity cannot serve, 5xx and throttling are transient. */
async function tokenOf(response: Response, url: string, what: string, request: ManagedIdentityTokenRequest): Promise<string> {
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) {
    const answer = TOKEN_ANSWER.safeParse(body);
    if (answer.success) return answer.data.access_token;
    throw new AuthError('PROTOCOL', `${what} at ${url} answered without an access_token`, { url, status: response.status });
  }
  const said = describeFailure(body);
  if (response.status === 400 || response.status === 401 || response.status === 403) {
    throw new AuthError('CONFIG_INVALID', `${what} refused a token for ${request.resource} (HTTP ${response.status}${said})`, {
      url,
      status: response.status,
      key: `${request.where}.resource`,
      hint: `check \`resource\` and \`managed_identity_client_id\` in ${request.where} against the identities assigned to this machine`,
    });
  }
  throw new AuthError('NETWORK', `${what} at ${url} could not issue a token (HTTP ${response.status}${said})`, {
    url,
    status: response.status,
    hint: 'the endpoint is starting, updating or throttling; try again shortly',
  });
}

/** The platform's own words, cut short: never a token, but possibly long. */
function describeFailure(body: unknown): string {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const words = [fields.error, fields.error_description ?? fields.message].filter((v): v is string => typeof v === 'string' && v !== '');
  return words.length === 0 ? '' : `: ${words.join(': ').slice(0, 300)}`;
}

/**
 * Microsoft identity platform, "Workload identity federation": the projected
 * token in AZURE_FEDERATED_TOKEN_FILE is the client assertion of a client
 * credentials grant at `<AZURE_AUTHORITY_HOST><tenant>/oauth2/v2.0/token`.
 * The file is read at every login: the kubelet rotates it.
 */
async function workloadIdentityToken(
  request: ManagedIdentityTokenRequest,
  federation: { file: string; clientId: string; tenantId: string },
): Promise<string> {
  let assertion: string;
  try {
    assertion = (await readFile(federation.file, 'utf8')).trim();
  } catch (cause) {
    throw new AuthError('CONFIG_INVALID', `Cannot read the workload identity token ${federation.file} (AZURE_FEDERATED_TOKEN_FILE): ${(cause as NodeJS.ErrnoException).code ?? 'unreadable'}`, {
      file: federation.file,
      hint: 'check the azure.workload.identity/use label of the pod and that the file is readable by this user',
      cause,
    });
  }
  const authority = `${(request.env.AZURE_AUTHORITY_HOST || DEFAULT_AUTHORITY_HOST).replace(/\/+$/, '')}/${federation.tenantId}`;
  const server: oauth.AuthorizationServer = { issuer: `${authority}/v2.0`, token_endpoint: `${authority}/oauth2/v2.0/token` };
  const client: oauth.Client = { client_id: federation.clientId };
  const clientAuth: oauth.ClientAuth = (_server, _client, body) => {
    body.set('client_id', federation.clientId);
    body.set('client_assertion_type', JWT_BEARER);
    body.set('client_assertion', assertion);
  };
  const url = String(server.token_endpoint);
  const what = 'Microsoft Entra ID';
  const hint = 'check AZURE_AUTHORITY_HOST and the network path to it';
  try {
    const response = await oauth.clientCredentialsGrantRequest(server, client, clientAuth, { scope: `${request.resource.replace(/\/+$/, '')}/.default` }, {
      [oauth.customFetch]: (target: string, init: oauth.CustomFetchOptions<string, unknown>) => platformFetch(request.io, target, init as RequestInit, what, hint),
      [oauth.allowInsecureRequests]: request.io.allowInsecureHttp,
      signal: request.io.signal,
    });
    return (await oauth.processClientCredentialsResponse(server, client, response)).access_token;
  } catch (error) {
    if (AuthError.is(error)) throw error;
    if (error instanceof oauth.ResponseBodyError) {
      const refused = error.error === 'invalid_client' || error.error === 'unauthorized_client';
      throw new AuthError(refused ? 'ACCESS_DENIED' : 'CONFIG_INVALID', `${what} refused the workload identity token at ${url}: ${error.error}${error.error_description ? ` (${error.error_description.split('\r\n')[0]})` : ''}`, {
        url,
        status: error.status,
        oauthError: error.error,
        hint: refused
          ? 'check the federated credential of AZURE_CLIENT_ID: its issuer and subject must match this service account'
          : `check \`resource\` in ${request.where} and AZURE_TENANT_ID`,
        cause: error,
      });
    }
    const status = error instanceof oauth.OperationProcessingError && error.cause instanceof Response ? error.cause.status : undefined;
    throw new AuthError(status !== undefined && status >= 500 ? 'NETWORK' : 'PROTOCOL', `${what} gave an unexpected answer at ${url}${status === undefined ? '' : ` (HTTP ${status})`}`, {
      url,
      ...(status === undefined ? {} : { status }),
      hint,
      cause: error,
    });
  }
}
