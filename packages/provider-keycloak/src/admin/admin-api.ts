import { AuthError } from '@auth/core/provider';
import { adminLogin, type AdminLogin } from './admin-login.js';

export interface AdminApiOptions extends AdminLogin {
  /** Realm being administered. */
  targetRealm: string;
}

export interface AdminResponse<T> {
  status: number;
  /** Parsed JSON body; undefined for an empty body (201, 204). */
  body: T;
  location?: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** Query parameters; an array repeats the parameter (`type=A&type=B`). */
type Query = Record<string, string | readonly string[] | undefined>;

/** Seconds of validity below which the admin token is replaced, as keycloak-admin-client's MIN_VALIDITY. */
const MIN_VALIDITY_SECONDS = 5;

/**
 * A small typed client of `{base}/admin/realms/{realm}` (the Keycloak Admin REST API (https://www.keycloak.org/docs-api/latest/rest-api/index.html)), over the injected fetch with a per-request timeout. The admin token
 * lives in this object only, for as long as the command runs; it is never
 * written anywhere. Non-2xx answers become AuthErrors carrying Keycloak's own
 * text (`errorMessage`, `error_description` or `error`) and the status.
 */
export class KeycloakAdminApi {
  private token: { value: string; expiresAt: number } | undefined;

  constructor(private readonly options: AdminApiOptions) {}

  get realm(): string {
    return this.options.targetRealm;
  }

  /** `{base}/admin/realms/{realm}{path}`; with `realms: 'all'`, `{base}/admin/realms{path}` (where realms are created). */
  url(path: string, query: Query = {}, realms: 'target' | 'all' = 'target'): string {
    const realm = realms === 'all' ? '' : `/${encodeURIComponent(this.options.targetRealm)}`;
    const url = new URL(`${this.options.base}/admin/realms${realm}${path}`);
    for (const [key, value] of Object.entries(query)) for (const one of [value ?? []].flat()) url.searchParams.append(key, one);
    return url.href;
  }

  async request<T = undefined>(
    method: Method,
    path: string,
    init: { query?: Query; body?: unknown; realms?: 'target' | 'all' } = {},
  ): Promise<AdminResponse<T>> {
    const url = this.url(path, init.query, init.realms);
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${await this.accessToken()}`,
    };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await this.options.fetch(url, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.any([this.options.signal, timeoutSignal(this.options.timeoutMs)]),
        redirect: 'manual',
      });
      text = await response.text();
    } catch (error) {
      throw transportError(error, url, this.options.timeoutMs);
    }
    const body = parseJson(text);
    if (response.status < 200 || response.status >= 300) throw statusError(method, url, response.status, body, text, this.options.profile);
    const location = response.headers.get('location') ?? undefined;
    return { status: response.status, body: body as T, ...(location === undefined ? {} : { location }) };
  }

  private async accessToken(): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    if (!this.token || this.token.expiresAt - now < MIN_VALIDITY_SECONDS) {
      const tokens = await adminLogin(this.options);
      this.token = { value: tokens.access_token, expiresAt: tokens.expires_at };
    }
    return this.token.value;
  }
}

/** `201 Created` carries the new resource's id only as the last segment of `Location` (as keycloak-admin-client reads it). */
export function idFromLocation(response: AdminResponse<unknown>, what: string, url: string): string {
  const id = response.location?.split('/').filter(Boolean).pop();
  if (!id) {
    throw new AuthError('PROTOCOL', `${url} created the ${what} but sent no Location header`, {
      url,
      status: response.status,
      hint: 'check that the url in the profile points at a Keycloak server',
    });
  }
  return decodeURIComponent(id);
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Keycloak's two error shapes, ErrorRepresentation and OAuth2ErrorRepresentation: Keycloak's ErrorResponse and OAuth2ErrorRepresentation (https://github.com/keycloak/keycloak/blob/main/services/src/main/java/org/keycloak/services/ErrorResponse.java, https://github.com/keycloak/keycloak/issues/25696). */
function keycloakErrorText(body: unknown, text: string): string {
  if (typeof body === 'object' && body !== null) {
    const fields = body as { errorMessage?: unknown; error_description?: unknown; error?: unknown; errors?: Array<{ errorMessage?: unknown }> };
    for (const value of [fields.errorMessage, fields.error_description, fields.error]) if (typeof value === 'string' && value) return value;
    const nested = fields.errors?.map((e) => e.errorMessage).filter((m): m is string => typeof m === 'string');
    if (nested && nested.length > 0) return nested.join('; ');
  }
  return text.slice(0, 200) || 'no details';
}

function statusError(method: Method, url: string, status: number, body: unknown, text: string, profile: string): AuthError {
  const said = keycloakErrorText(body, text);
  const where = `${method} ${url} answered HTTP ${status}: ${said}`;
  const details = { url, status, profile };
  if (status === 401) {
    return new AuthError('ACCESS_DENIED', where, { ...details, hint: 'the admin token was not accepted; check [profiles.' + profile + '.admin] realm and client_id' });
  }
  if (status === 403) {
    return new AuthError('ACCESS_DENIED', where, { ...details, hint: 'the administrator lacks the realm-management roles for this realm' });
  }
  if (status >= 500) return new AuthError('NETWORK', where, { ...details, hint: 'the Keycloak server has a problem; try again later' });
  return new AuthError('USAGE', where, details);
}

function transportError(error: unknown, url: string, timeoutMs: number): AuthError {
  // The profile's fetch already explains what it knows (an untrusted TLS certificate: set ca_file).
  if (AuthError.is(error)) return error;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') {
    return new AuthError('TIMEOUT', `No answer from ${url} within ${timeoutMs / 1000} s`, {
      url,
      hint: 'check that Keycloak is up; raise `timeout` (seconds) in the profile if it is just slow',
      cause: error,
    });
  }
  if (name === 'AbortError') return new AuthError('CANCELLED', `The request to ${url} was cancelled`, { url, cause: error });
  return new AuthError('NETWORK', `Cannot reach ${url}`, { url, hint: 'check the url in the profile and your network connection', cause: error });
}

/**
 * A timeout held by its own unref'd timer: on Node 20 a bare
 * `AbortSignal.timeout` that only `AbortSignal.any` refers to can be
 * collected and never fire (same reasoning as core's request options).
 */
function timeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new DOMException(`No answer within ${ms} ms`, 'TimeoutError')), ms).unref();
  return controller.signal;
}
