// Contract double of Infisical's machine-identity login API, following Infisical's API
// reference (https://infisical.com/docs/api-reference/endpoints/universal-auth/login,
// https://infisical.com/docs/api-reference/endpoints/tokens/renew-access-token and
// .../tokens/revoke-access-token) and its backend (routes under `/api/v1/auth`; the
// identity-access-token service's renew rules): `POST /api/v1/auth/universal-auth/login`
// `{clientId, clientSecret}`, `POST /api/v1/auth/{jwt-auth,oidc-auth}/login` `{identityId, jwt}`,
// answered `{accessToken, expiresIn, accessTokenMaxTTL, tokenType: "Bearer"}`;
// `POST /api/v1/auth/token/renew {accessToken}` (refused past the TTL, or when the renewed
// token would outlive the max TTL counted from the login) and `/token/revoke`; errors as
// `{reqId, statusCode, message, error}`. Unlike Infisical (HS256 with a server secret), the
// access tokens are RS256 JWTs verifiable through the JWKS at `/.well-known/jwks.json`,
// as auth-server issues them. Time comes from an injectable clock.
import { randomBytes, randomUUID } from 'node:crypto';
import { jwtVerify, type JWTPayload } from 'jose';
import { serveDouble, type Reply } from './double-server.js';
import { createSigningKey } from './signing-key.js';

export interface MachineLoginDoubleOptions {
  /** Lifetime of each access token, seconds (Infisical's `accessTokenTTL`; default 3600). */
  accessTokenTTL?: number;
  /** How long logins may be renewed, from the login, seconds (`accessTokenMaxTTL`; default 86400; 0: no limit). */
  accessTokenMaxTTL?: number;
  /** Epoch seconds (default: the system clock). */
  now?: () => number;
  /**
   * More login methods (`aws-auth`, `kubernetes-auth`, …), each checking a login body and
   * answering the identity id it proves, or undefined to refuse it (401): a platform's
   * double plugs in here.
   */
  methods?: Record<string, (body: Record<string, unknown>) => Promise<string | undefined> | string | undefined>;
}

/** What the double refuses, until `accept()`: `login`, `renew`, `revoke`, or `any` request. */
export interface Refusal {
  on: 'login' | 'renew' | 'revoke' | 'any';
  status: number;
  message?: string;
  /** Seconds for a `Retry-After` header (429). */
  retryAfter?: number;
  /** Refuse this many requests, then accept again (default: until `accept()`). */
  times?: number;
}

/** One request as received, secrets replaced by their field names. */
export interface MachineLoginRequest {
  path: string;
  fields: string[];
}

export interface MachineLoginDouble {
  /** The origin; the API lives under `${url}/api`. */
  url: string;
  jwksUrl: string;
  /** The issuer (`iss`) of its access tokens. */
  issuer: string;
  universalAuth: { clientId: string; clientSecret: string; identityId: string };
  /** The identity `jwt-auth` and `oidc-auth` log in as. */
  jwtIdentityId: string;
  /** A workload JWT `jwt-auth`/`oidc-auth` accept for `jwtIdentityId` (signed by the double's workload issuer). */
  workloadJwt(subject?: string): Promise<string>;
  /** Verifies an access token it issued (signature against its JWKS, expiry on its clock). */
  verify(accessToken: string): Promise<JWTPayload>;
  refuse(refusal: Refusal): void;
  accept(): void;
  setTtl(accessTokenTTL: number, accessTokenMaxTTL: number): void;
  requests: MachineLoginRequest[];
  /** Access token ids revoked so far. */
  revoked(): string[];
  close(): Promise<void>;
}

interface TokenRow {
  identityId: string;
  createdAt: number;
  renewedAt: number;
  ttl: number;
  maxTtl: number;
  revoked: boolean;
}

const API = '/api/v1/auth';

export async function startMachineLoginDouble(options: MachineLoginDoubleOptions = {}): Promise<MachineLoginDouble> {
  const key = await createSigningKey();
  const workloadKey = await createSigningKey();
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  let ttl = options.accessTokenTTL ?? 3600;
  let maxTtl = options.accessTokenMaxTTL ?? 86400;
  const universalAuth = { clientId: randomUUID(), clientSecret: randomBytes(32).toString('hex'), identityId: randomUUID() };
  const jwtIdentityId = randomUUID();
  const rows = new Map<string, TokenRow>();
  const requests: MachineLoginRequest[] = [];
  let refusal: Refusal | undefined;
  let issuer = '';

  const fail = (status: number, message: string, error: string, headers?: Record<string, string>): Reply => ({
    status,
    body: { reqId: randomUUID(), statusCode: status, message, error },
    ...(headers === undefined ? {} : { headers }),
  });
  const unauthorized = (message: string) => fail(401, message, 'UnauthorizedError');

  async function issue(row: TokenRow, id: string): Promise<Reply> {
    const accessToken = await key.sign(
      { iss: issuer, sub: row.identityId, identityId: row.identityId, identityAccessTokenId: id, authTokenType: 'identityAccessToken', jti: randomUUID() },
      row.ttl,
      now(),
    );
    return { status: 200, body: { accessToken, expiresIn: row.ttl, accessTokenMaxTTL: row.maxTtl, tokenType: 'Bearer' } };
  }

  async function login(identityId: string): Promise<Reply> {
    const id = randomUUID();
    const row: TokenRow = { identityId, createdAt: now(), renewedAt: now(), ttl, maxTtl, revoked: false };
    rows.set(id, row);
    return issue(row, id);
  }

  async function workloadSubject(jwt: unknown, identityId: unknown): Promise<boolean> {
    if (typeof jwt !== 'string' || identityId !== jwtIdentityId) return false;
    try {
      await jwtVerify(jwt, workloadKey.publicKey, { issuer: `${issuer}/workload`, audience: jwtIdentityId, currentDate: new Date(now() * 1000) });
      return true;
    } catch {
      return false;
    }
  }

  /** The row of an access token this double issued, verified on its clock. */
  async function rowOf(token: unknown): Promise<[string, TokenRow] | undefined> {
    if (typeof token !== 'string') return undefined;
    try {
      const { payload } = await jwtVerify(token, key.publicKey, { issuer, currentDate: new Date(now() * 1000) });
      const id = String(payload.identityAccessTokenId);
      const row = rows.get(id);
      return row === undefined || row.revoked ? undefined : [id, row];
    } catch {
      return undefined;
    }
  }

  async function renew(token: unknown): Promise<Reply> {
    const found = await rowOf(token);
    if (found === undefined) return unauthorized('No identity access token found');
    const [id, row] = found;
    const at = now();
    if (at > row.renewedAt + row.ttl) {
      rows.delete(id);
      return unauthorized('Failed to renew MI access token due to TTL expiration');
    }
    if (row.maxTtl > 0) {
      if (at > row.createdAt + row.maxTtl) return unauthorized('Failed to renew MI access token due to Max TTL expiration');
      if (at + row.ttl > row.createdAt + row.maxTtl) return unauthorized('Failed to renew MI access token as it will be past its Max TTL expiration');
    }
    row.renewedAt = at;
    return issue(row, id);
  }

  function refused(on: Refusal['on']): Reply | undefined {
    if (refusal === undefined || (refusal.on !== 'any' && refusal.on !== on)) return undefined;
    const { status, message, retryAfter } = refusal;
    if (refusal.times !== undefined && --refusal.times <= 0) refusal = undefined;
    const error = status === 429 ? 'RateLimitExceeded' : status >= 500 ? 'InternalServerError' : 'UnauthorizedError';
    const text = message ?? (status === 429 ? `Rate limit exceeded. Please try again in ${retryAfter ?? 60} seconds` : 'Invalid credentials');
    return fail(status, text, error, retryAfter === undefined ? undefined : { 'retry-after': String(retryAfter) });
  }

  const server = await serveDouble(async (request) => {
    if (request.method === 'GET' && request.path === '/.well-known/jwks.json') return { status: 200, body: key.jwks() };
    if (request.method !== 'POST' || !request.path.startsWith(`${API}/`)) return fail(404, `Route ${request.method}:${request.path} not found`, 'NotFound');
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(request.text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TypeError('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      return fail(422, 'Request body must be a JSON object', 'ValidationFailure');
    }
    const route = request.path.slice(API.length + 1);
    requests.push({ path: request.path, fields: Object.keys(body).sort() });
    switch (route) {
      case 'universal-auth/login': {
        const refusedReply = refused('login');
        if (refusedReply) return refusedReply;
        const matches = body.clientId === universalAuth.clientId && body.clientSecret === universalAuth.clientSecret;
        return matches ? login(universalAuth.identityId) : unauthorized('Invalid credentials');
      }
      case 'jwt-auth/login':
      case 'oidc-auth/login': {
        const refusedReply = refused('login');
        if (refusedReply) return refusedReply;
        return (await workloadSubject(body.jwt, body.identityId)) ? login(jwtIdentityId) : fail(403, 'Access denied: issuer mismatch', 'ForbiddenError');
      }
      case 'token/renew':
        return refused('renew') ?? renew(body.accessToken);
      case 'token/revoke': {
        const refusedReply = refused('revoke');
        if (refusedReply) return refusedReply;
        const found = await rowOf(body.accessToken);
        if (found === undefined) return unauthorized('No identity access token found');
        found[1].revoked = true;
        return { status: 200, body: { message: 'Successfully revoked access token' } };
      }
      default: {
        const check = /^([a-z0-9-]+)\/login$/.exec(route)?.[1];
        const verify = check === undefined ? undefined : options.methods?.[check];
        if (verify === undefined) return refused('any') ?? fail(404, `Route POST:${request.path} not found`, 'NotFound');
        const refusedReply = refused('login');
        if (refusedReply) return refusedReply;
        const identityId = await verify(body);
        return identityId === undefined ? unauthorized('Invalid credentials') : login(identityId);
      }
    }
  });
  issuer = server.url;

  return {
    url: server.url,
    jwksUrl: `${server.url}/.well-known/jwks.json`,
    issuer,
    universalAuth,
    jwtIdentityId,
    workloadJwt: (subject = 'repo:example/app:ref:refs/heads/main') =>
      workloadKey.sign({ iss: `${issuer}/workload`, sub: subject, aud: jwtIdentityId }, 600, now()),
    async verify(accessToken) {
      return (await jwtVerify(accessToken, key.publicKey, { issuer, currentDate: new Date(now() * 1000) })).payload;
    },
    refuse(next) {
      refusal = { ...next };
    },
    accept() {
      refusal = undefined;
    },
    setTtl(accessTokenTTL, accessTokenMaxTTL) {
      ttl = accessTokenTTL;
      maxTtl = accessTokenMaxTTL;
    },
    requests,
    revoked: () => [...rows].filter(([, row]) => row.revoked).map(([id]) => id),
    close: () => server.close(),
  };
}
