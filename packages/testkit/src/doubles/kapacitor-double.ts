// Contract double of a Kapacitor server with authentication on (`[http] auth-enabled = true`), for
// the part a client logging in talks to: `GET|HEAD /kapacitor/v1/ping` ("Kapacitor HTTP API
// reference", Ping: https://docs.influxdata.com/kapacitor/v1/working/api/#ping, 204 No Content),
// behind Kapacitor's authentication as influxdata/kapacitor v1.8.3 `services/httpd/handler.go`
// implements it: credentials from a Basic `Authorization` header (Go's `Request.BasicAuth`: the
// user-id ends at the first colon, nothing is percent-decoded), else the `u` and `p` query
// parameters; refusals are 401 with `Content-Type: application/json; charset=utf-8` and the body
// `{"error":"<msg>","message":"<msg>"}` of `HttpError` (`unable to parse authentication
// credentials`, `username required`, `authorization failed`). Every answer carries
// `X-Kapacitor-Version`. Users and passwords are the double's own, changeable while it runs.
import { serveDouble, type DoubleRequest, type Reply } from './double-server.js';

export interface KapacitorDoubleOptions {
  /** Username → password. */
  users: Record<string, string>;
  /** `X-Kapacitor-Version` (default 1.8.3). */
  version?: string;
}

/** One request as the double saw it: the credentials Kapacitor would have parsed, if any. */
export interface KapacitorRequest {
  method: string;
  path: string;
  credentials?: { username: string; password: string };
}

export interface KapacitorDouble {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  requests: KapacitorRequest[];
  /** Adds a user or changes its password. */
  setPassword(username: string, password: string): void;
  close(): Promise<void>;
}

const PING = '/kapacitor/v1/ping';

export async function startKapacitorDouble(options: KapacitorDoubleOptions): Promise<KapacitorDouble> {
  const users = new Map(Object.entries(options.users));
  const requests: KapacitorRequest[] = [];
  const versioned = { 'x-kapacitor-version': options.version ?? '1.8.3' };
  const refuse = (message: string): Reply => ({ status: 401, body: { error: message, message }, headers: versioned });

  function handle(request: DoubleRequest): Reply {
    const credentials = parseCredentials(request);
    requests.push({ method: request.method, path: request.path, ...(credentials === undefined ? {} : { credentials }) });
    if (request.path !== PING || (request.method !== 'GET' && request.method !== 'HEAD')) {
      // Go's http.NotFound, as Kapacitor's router answers an unknown route.
      return { status: 404, body: '404 page not found\n', headers: { ...versioned, 'content-type': 'text/plain; charset=utf-8' } };
    }
    if (credentials === undefined) return refuse('unable to parse authentication credentials');
    if (credentials.username === '') return refuse('username required');
    if (users.get(credentials.username) !== credentials.password) return refuse('authorization failed');
    return { status: 204, headers: versioned };
  }

  const server = await serveDouble(handle);
  return {
    url: server.url,
    requests,
    setPassword: (username, password) => users.set(username, password),
    close: () => server.close(),
  };
}

/** Kapacitor's `parseCredentials` order, Basic first, then `?u=&p=` (both non-empty); Bearer tokens are not part of this double. */
function parseCredentials(request: DoubleRequest): KapacitorRequest['credentials'] {
  const authorization = request.headers.authorization;
  if (authorization !== undefined && /^basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const query = new URLSearchParams(request.search);
  const username = query.get('u');
  const password = query.get('p');
  return username && password ? { username, password } : undefined;
}
