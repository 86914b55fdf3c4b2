/**
 * `--verbose`: a fetch that traces every request on stderr, curl-style
 * (`> ` what was sent, `< ` what came back, with the time it took), and
 * never shows a secret. Secrets are recognised by name (OAuth parameters and
 * JSON fields, credential-bearing headers) wherever they appear: the query
 * string, a form or JSON body, a header, the URL's user info; anything shaped
 * like a JWT is masked as well. Bodies of any other type are summarised by
 * their size, never shown.
 */

/** Parameter and field names whose values are secrets (RFC 6749, 7009, 7523, 7636, 8628, 8693, OIDC Core, Infisical's login API). */
const SECRET_NAMES = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'code',
  'code_verifier',
  'device_code',
  'client_secret',
  'client_assertion',
  'assertion',
  'subject_token',
  'actor_token',
  'password',
  'registration_access_token',
  // Machine-identity login APIs (Infisical's JSON names): secrets, tokens, and AWS's signed request headers.
  'clientSecret',
  'accessToken',
  'jwt',
  'iamRequestHeaders',
]);
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'dpop']);
const JWT = /\beyJ[\w-]+\.[\w-]+\.[\w-]*/g;
/** `user:password@` in a URL inside any text (fetch puts the URL in some of its error messages). */
const USER_INFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;
const REDACTED = '[redacted]';

type Write = (line: string) => void;

export function createVerboseFetch(fetchImpl: typeof fetch, write: Write): typeof fetch {
  return async (input, init) => {
    // Read from the arguments as given, never by building a Request: the body must reach fetchImpl untouched.
    const request = input instanceof Request ? input : undefined;
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? request?.method ?? 'GET';
    const headers = new Headers(init?.headers ?? request?.headers);
    write(`> ${method} ${redactUrl(url)}`);
    traceHeaders('>', headers, write);
    const sent = requestBody(headers, init?.body);
    if (sent) write(`> ${sent}`);
    const started = performance.now();
    const elapsed = () => `${Math.round(performance.now() - started)} ms`;
    let response: Response;
    try {
      response = await fetchImpl(input, init);
    } catch (error) {
      write(`< ${method} ${redactUrl(url)} failed after ${elapsed()}: ${redactText(describeError(error))}`);
      throw error;
    }
    const status = response.statusText ? `${response.status} ${response.statusText}` : String(response.status);
    write(`< ${status} (${elapsed()})`);
    traceHeaders('<', response.headers, write);
    let received: string | undefined;
    try {
      received = describeBody(response.headers.get('content-type'), await response.clone().text());
    } catch (error) {
      // The caller reading the same body meets the same failure and reports it.
      received = `[body unreadable: ${redactText(describeError(error))}]`;
    }
    if (received) write(`< ${received}`);
    return response;
  };
}

function requestBody(headers: Headers, body: RequestInit['body']): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (body instanceof URLSearchParams) return redactForm(body.toString());
  if (typeof body === 'string') return describeBody(headers.get('content-type'), body);
  return '[a body of another kind, not shown]';
}

function redactUrl(raw: string): string {
  if (!URL.canParse(raw)) return redactText(raw);
  const url = new URL(raw);
  const query = url.search === '' ? '' : `?${redactForm(url.search.slice(1))}`;
  return redactText(`${url.protocol}//${url.username || url.password ? `${REDACTED}@` : ''}${url.host}${url.pathname}${query}${url.hash}`);
}

function traceHeaders(direction: '>' | '<', headers: Headers, write: Write): void {
  for (const [name, value] of headers) {
    write(`${direction} ${name}: ${SECRET_HEADERS.has(name) ? redactCredentials(name, value) : redactText(value)}`);
  }
}

/** `Basic [redacted]`: the scheme tells what was sent, the credentials stay hidden. */
function redactCredentials(name: string, value: string): string {
  const scheme = /^(Basic|Bearer|DPoP) /i.exec(value)?.[1];
  return name.endsWith('authorization') && scheme ? `${scheme} ${REDACTED}` : REDACTED;
}

/** A body as it may be shown: forms and JSON with their secrets masked, anything else by its size. */
function describeBody(contentType: string | null, text: string): string | undefined {
  if (text === '') return undefined;
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') return redactForm(text);
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.stringify(redactJson(JSON.parse(text)));
    } catch {
      // Not JSON after all: shown by its size only, like any other body.
    }
  }
  return `[${Buffer.byteLength(text)} bytes${type ? ` of ${type}` : ''}]`;
}

function redactForm(text: string): string {
  const form = new URLSearchParams(text);
  for (const name of new Set(form.keys())) {
    if (SECRET_NAMES.has(name)) form.set(name, REDACTED);
  }
  return redactText(form.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED));
}

function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, field]) => [key, SECRET_NAMES.has(key) ? REDACTED : redactJson(field)]),
    );
  }
  return typeof value === 'string' ? redactText(value) : value;
}

function redactText(text: string): string {
  return text.replace(JWT, REDACTED).replace(USER_INFO, `$1${REDACTED}@`);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
