import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { start, type RunningBinary } from './support/binary.js';
import { formOf, HttpUser } from './support/http-user.js';
import { authorizationRequest, discover } from './support/oauth-client.js';
import { prng } from './support/prng.js';
import { makeDataDir, removeDataDir } from './support/test-server.js';

/**
 * A seeded, bounded fuzzer: every route of the built server, with odd
 * methods, headers, queries, forms and JSON bodies. The same seed sends the
 * same requests, so a failure is reproducible from its report.
 */
const SEED = 42;
const REQUESTS = 2000;
const CONCURRENCY = 8;

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

interface Live {
  issuer: string;
  /** A real interaction, its cookies and its sign-in form fields. */
  uid: string;
  cookies: string;
  csrf: string;
  /** A real device user code and the device page's session cookie and form token. */
  userCode: string;
  deviceCookies: string;
  xsrf: string;
  endpoints: string[];
}

const PARAMETERS = [
  'client_id', 'response_type', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt',
  'max_age', 'claims', 'request', 'request_uri', 'resource', 'ui_locales', 'login_hint', 'id_token_hint', 'response_mode',
  'grant_type', 'code', 'code_verifier', 'refresh_token', 'device_code', 'user_code', 'token', 'token_type_hint', 'client_secret',
  'client_assertion', 'client_assertion_type', 'username', 'password', 'csrf', 'xsrf', 'confirm', 'abort', 'error',
  'error_description', 'post_logout_redirect_uri', 'logout', 'authorization_details', 'dpop_jkt', 'acr_values', 'display', 'x',
] as const;

function generate(random: ReturnType<typeof prng>, live: Live): FuzzRequest {
  const { pick, int, chance } = random;
  const randomText = (length: number) => {
    const alphabet = Array.from('abcXYZ019-._~%&=+?#/;:,"\'<>{}[]\\ \t\u00e9\u4e2d\u{1f600}\u0000');
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[int(alphabet.length)] ?? 'a';
    return out;
  };
  // Header values: what Node's client lets through (tab, printable ASCII, Latin-1).
  const headerText = (length: number) => randomText(length).replace(/[^\t\x20-\x7e\x80-\xff]/g, '\u00ff');
  const value = (name: string): string =>
    pick([
      () => '',
      () => randomText(pick([1, 5, 20, 200, 2000])),
      () => 'x'.repeat(pick([100, 1000, 5000])),
      () => pick(['authctl', 'demo-service', 'unknown', live.uid, live.userCode, live.csrf, live.xsrf, 'demo', 'openid profile offline_access']),
      () => pick(['code', 'token', 'none', 'S256', 'plain', 'login consent', 'authorization_code', 'refresh_token', 'client_credentials']),
      () => pick(['urn:ietf:params:oauth:grant-type:device_code', 'http://127.0.0.1:1/callback', `${live.issuer}/oauth/code`, 'javascript:alert(1)']),
      () => pick(['{"userinfo":{"email":null}}', '{"a":', '[]', 'null', '-1', '1e400', 'NaN', '[{"type":"x"}]', 'yes', 'true']),
      () => pick(['eyJhbGciOiJub25lIn0.e30.', 'a.b.c', 'urn:ietf:params:oauth:request_uri:zzz', '%E0%A4%A', '%ZZ', '%00']),
      () => (name === 'password' ? 'correct-horse-battery-staple-42' : 'BCDF-GHJK'),
    ])();
  const encode = (name: string, raw: string) =>
    // Sometimes sent as is: malformed percent-encoding and bare separators on purpose.
    chance(0.15) ? `${name}=${raw}`.replace(/[^\x21-\x7e]/gu, encodeURIComponent) : `${encodeURIComponent(name)}=${encodeURIComponent(raw)}`;
  /** The route's own parameters, each kept, dropped or replaced, plus a few random ones. */
  const params = (base: Record<string, string> = {}) => {
    const entries: string[] = [];
    for (const [name, good] of Object.entries(base)) {
      if (chance(0.05)) continue;
      entries.push(encode(name, chance(0.08) ? value(name) : good));
      if (chance(0.05)) entries.push(encode(name, value(name)));
    }
    for (let i = int(base === undefined || Object.keys(base).length === 0 ? 8 : 3); i > 0; i--) {
      const name = chance(0.9) ? pick(PARAMETERS) : randomText(int(8) + 1);
      entries.push(encode(name, value(name)));
    }
    return entries.join('&');
  };

  const { uid } = live;
  const authorization = {
    client_id: 'authctl',
    response_type: 'code',
    redirect_uri: 'http://127.0.0.1:1/callback',
    scope: 'openid profile',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: 'st',
  };
  // [method, path, parameters]: every route with what a well-behaved client would send.
  const routes: Array<[string, string, Record<string, string>]> = [
    ...live.endpoints.flatMap((path): Array<[string, string, Record<string, string>]> => [['GET', path, {}], ['POST', path, { client_id: 'authctl' }]]),
    ['GET', '/', {}],
    ['GET', '/auth', authorization],
    ['POST', '/auth', authorization],
    ['GET', `/auth/${uid}`, {}],
    ['GET', '/auth/unknown', {}],
    ['POST', '/token', { grant_type: 'authorization_code', code: 'x', code_verifier: 'y', redirect_uri: authorization.redirect_uri, client_id: 'authctl' }],
    ['POST', '/token', { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'authctl' }],
    ['POST', '/token', { grant_type: 'client_credentials', client_id: 'demo-service', client_secret: 'wrong', scope: 'api:read' }],
    ['POST', '/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'x', client_id: 'authctl' }],
    ['POST', '/token/introspection', { token: 'x', client_id: 'authctl' }],
    ['POST', '/token/revocation', { token: 'x', token_type_hint: 'refresh_token', client_id: 'authctl' }],
    ['GET', '/me', {}],
    ['POST', '/me', {}],
    ['GET', '/jwks', {}],
    ['GET', '/.well-known/openid-configuration', {}],
    ['GET', '/device', { user_code: live.userCode }],
    ['POST', '/device', { xsrf: live.xsrf, user_code: live.userCode }],
    ['POST', '/device', { xsrf: live.xsrf, user_code: live.userCode, confirm: 'yes' }],
    ['POST', '/device', { xsrf: live.xsrf, user_code: live.userCode, abort: 'yes' }],
    ['POST', '/device/auth', { client_id: 'authctl', scope: 'openid offline_access' }],
    ['GET', '/device/confirm', {}],
    ['GET', `/device/${uid}`, {}],
    ['GET', `/interaction/${uid}`, {}],
    ['POST', `/interaction/${uid}/login`, { csrf: live.csrf, username: 'demo', password: 'wrong' }],
    ['POST', `/interaction/${uid}/confirm`, { csrf: live.csrf }],
    ['POST', `/interaction/${uid}/abort`, { csrf: live.csrf }],
    ['GET', '/interaction/unknown', {}],
    ['POST', '/interaction/unknown/login', { csrf: live.csrf, username: 'demo', password: 'x' }],
    ['GET', '/interaction/%E0%A4%A', {}],
    ['GET', `/interaction/${uid}/%ZZ`, {}],
    ['GET', '/oauth/code', { code: 'abc', state: 'st' }],
    ['GET', '/oauth/code', { error: 'access_denied', error_description: 'no' }],
    ['GET', '/healthz', {}],
    ['POST', '/request', { ...authorization }],
    ['POST', '/reg', {}],
    ['GET', '/session/end', { client_id: 'authctl', post_logout_redirect_uri: 'http://127.0.0.1:1/' }],
    ['POST', '/session/end/confirm', { xsrf: 'x', logout: 'yes' }],
    ['GET', '/session/end/success', {}],
    ['GET', '/nope', {}],
    ['GET', '//jwks', {}],
    ['GET', '/auth/../jwks', {}],
    ['GET', '/%E0%A4%A', {}],
  ];
  const [usualMethod, path, base] = pick(routes);
  const method = chance(0.7) ? usualMethod : pick(['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'PROPFIND', 'FUZZ', 'get']);
  const inBody = method !== 'GET' && method !== 'HEAD' && chance(0.85);
  const query = !inBody || chance(0.2) ? `?${params(base)}` : '';

  const headers: Record<string, string> = {};
  if (chance(0.7)) headers.accept = pick(['text/html', 'application/json', '*/*', 'text/html;q=0, application/json', 'image/png', '\u00ff']);
  if (chance(0.5)) {
    headers.cookie = pick([live.cookies, live.deviceCookies, '_session=forged; _session.sig=forged', '_interaction=abc', '=;;=', headerText(50)]);
  }
  if (chance(0.3)) {
    headers.authorization = pick([
      `Basic ${Buffer.from('demo-service:wrong').toString('base64')}`,
      `Basic ${Buffer.from('authctl:').toString('base64')}`,
      `Basic ${Buffer.from('%ZZ:%E0').toString('base64')}`,
      'Basic !!!',
      'Basic',
      'Bearer a.b.c',
      'DPoP xyz',
      headerText(30),
    ]);
  }
  if (chance(0.2)) headers.origin = pick(['http://evil.example', 'null', live.issuer]);
  if (chance(0.1)) headers.dpop = pick(['a.b.c', 'eyJhbGciOiJub25lIn0.e30.']);
  if (chance(0.1)) headers['x-forwarded-proto'] = pick(['https', 'gopher']);
  if (chance(0.1)) headers['x-forwarded-host'] = pick(['evil.example', '']);
  if (chance(0.05)) headers.host = pick(['evil.example', 'localhost:1', '[::1', '', '127.0.0.1:99999', headerText(20)]);

  let body: Buffer | undefined;
  if (inBody) {
    const kind = pick(['form', 'form', 'form', 'json', 'garbage', 'big', 'empty'] as const);
    headers['content-type'] = {
      form: pick(['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=latin1']),
      json: 'application/json',
      garbage: pick(['text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json', '']),
      big: 'application/x-www-form-urlencoded',
      empty: pick(['application/x-www-form-urlencoded', 'application/json']),
    }[kind]!;
    const text = {
      form: () => params(base),
      json: () =>
        JSON.stringify({
          ...base,
          ...Object.fromEntries(PARAMETERS.filter(() => chance(0.1)).map((name) => [name, pick([value(name), 1, null, [value(name)], { a: 1 }])])),
        }),
      garbage: () => randomText(int(500)),
      big: () => `csrf=${live.csrf}&username=demo&password=${'x'.repeat(pick([20_000, 60_000]))}`,
      empty: () => '',
    }[kind]();
    body = Buffer.from(text);
  }
  return { method, path: `${path}${query}`, headers, body };
}

function send(issuer: string, request: FuzzRequest): Promise<number | string> {
  const url = new URL(issuer);
  return new Promise((resolve) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: request.method, path: request.path, headers: request.headers, timeout: 10_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 'no status'));
        res.on('error', (error) => resolve(`response ${error.message}`));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    // A request the server closes after answering 4xx (e.g. 431) may end with a reset; the status, if any, was recorded.
    req.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? error.message));
    req.end(request.body);
  });
}

let server: RunningBinary;
let dataDir: string;
let live: Live;

beforeAll(async () => {
  dataDir = await makeDataDir();
  server = await start(['--dev', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--log-level', 'warn']);
  const as = await discover(server.issuer);
  const person = new HttpUser();
  const signIn = await person.follow((await authorizationRequest(as, 'http://127.0.0.1:1/callback')).url.href);
  const form = formOf(signIn);
  const device = await fetch(`${server.issuer}/device/auth`, { method: 'POST', body: new URLSearchParams({ client_id: 'authctl', scope: 'openid' }) });
  const deviceUser = new HttpUser();
  const entry = await deviceUser.follow(`${server.issuer}/device`);
  live = {
    issuer: server.issuer,
    uid: new URL(signIn.url).pathname.split('/').pop()!,
    cookies: person.jar.header(),
    csrf: form.fields.csrf!,
    userCode: ((await device.json()) as { user_code: string }).user_code,
    deviceCookies: deviceUser.jar.header(),
    xsrf: formOf(entry).fields.xsrf!,
    endpoints: Object.entries(as)
      .filter(([key, url]) => key.endsWith('_endpoint') || key === 'jwks_uri')
      .map(([, url]) => new URL(String(url)).pathname),
  };
});

afterAll(async () => {
  await server?.stop();
  await removeDataDir(dataDir);
});

describe(`fuzzing every route (seed ${SEED}, ${REQUESTS} requests)`, () => {
  test('no response is a 5xx, nothing times out, no stack trace is logged, and the server still answers /healthz', async () => {
    const random = prng(SEED);
    const requests = Array.from({ length: REQUESTS }, () => generate(random, live));
    const failures: string[] = [];
    const statuses = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const request = requests[next++]!;
          const status = await send(server.issuer, request);
          statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1);
          if ((typeof status === 'number' && status >= 500) || status === 'timed out') {
            failures.push(`${status} ${request.method} ${request.path.slice(0, 200)} ${JSON.stringify(request.headers).slice(0, 200)} ${request.body?.toString().slice(0, 200) ?? ''}`);
          }
        }
      }),
    );
    console.log('statuses', Object.fromEntries([...statuses].sort()));

    expect(failures).toEqual([]);
    expect(server.child.exitCode).toBeNull();
    expect((await fetch(`${server.issuer}/healthz`)).status).toBe(200);
    expect(server.stderr()).not.toMatch(/\n\s+at /);
  }, 240_000);
});
