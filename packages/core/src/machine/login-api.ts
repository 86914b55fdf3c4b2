/**
 * The client side of the machine-identity login API that Infisical defines
 * and auth-server serves: `POST <api>/v1/auth/<method>/login` with the
 * proof's fields, `POST <api>/v1/auth/token/renew` and `/token/revoke` with
 * `{accessToken}`, answers `{accessToken, expiresIn, accessTokenMaxTTL,
 * tokenType}` and errors `{statusCode, message, error}`
 * (https://infisical.com/docs/api-reference/endpoints/universal-auth/login,
 * https://infisical.com/docs/api-reference/endpoints/tokens/renew-access-token,
 * https://infisical.com/docs/api-reference/endpoints/tokens/revoke-access-token).
 * One function per request; every request goes through the session's
 * bounded fetch.
 */
import { AuthError, type AuthErrorCode } from '../errors.js';
import { toAuthError } from '../flows/map-error.js';
import { isAuthScheme, isB64Token } from '../token/token-syntax.js';
import type { TokenSet } from '../token-set.js';

export interface LoginApiIO {
  fetch: typeof fetch;
  signal: AbortSignal;
  timeoutMs: number;
  /** The profile, for hints. */
  profile: string;
  /** Epoch seconds. */
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** What a login or renewal answered. */
export interface MachineTokens {
  tokens: TokenSet;
  /** Seconds the login may be renewed for, counted from the login (`accessTokenMaxTTL`; absent when 0, no limit). */
  maxTtl?: number;
}

/** A token issued with `expiresIn: 0` never expires (Infisical signs it without `exp`); it is kept this long, Infisical's largest TTL. */
const NO_EXPIRY_SECONDS = 315_360_000;
/** Server messages are shown to people; longer ones are cut. */
const MAX_MESSAGE_LENGTH = 300;

/**
 * The API's base URL from a kms-style `--domain`: `https://host` and
 * `https://host/api` both mean `https://host/api`, as the kms CLI appends
 * `/api` when it is missing.
 */
export function loginApiBase(domain: URL): string {
  const path = domain.pathname.replace(/\/+$/, '');
  return `${domain.origin}${path.endsWith('/api') ? path : `${path}/api`}`;
}

export function loginUrl(api: string, loginMethod: string): string {
  return `${api}/v1/auth/${encodeURIComponent(loginMethod)}/login`;
}

export function revokeUrl(api: string): string {
  return `${api}/v1/auth/token/revoke`;
}

/** `POST /api/v1/auth/<loginMethod>/login`: a proof for an access token. */
export async function machineLoginRequest(io: LoginApiIO, api: string, loginMethod: string, body: Readonly<Record<string, string>>): Promise<MachineTokens> {
  const url = loginUrl(api, loginMethod);
  return processTokenAnswer(await postJson(io, url, body, 'login'), url, io.now());
}

/** `POST /api/v1/auth/token/renew`: the same login for another TTL, while its max TTL allows. */
export async function renewRequest(io: LoginApiIO, api: string, accessToken: string): Promise<MachineTokens> {
  const url = `${api}/v1/auth/token/renew`;
  return processTokenAnswer(await postJson(io, url, { accessToken }, 'renew'), url, io.now());
}

/** `POST /api/v1/auth/token/revoke`: the access token is refused from now on. */
export async function revokeRequest(io: LoginApiIO, api: string, accessToken: string): Promise<void> {
  await postJson(io, revokeUrl(api), { accessToken }, 'revoke');
}

type Step = 'login' | 'renew' | 'revoke';

/**
 * One JSON request. A 429 is waited out once when its `Retry-After` fits in
 * the per-request timeout; otherwise, and on a second 429, it fails as a
 * NETWORK error (exit 5, retry later).
 */
async function postJson(io: LoginApiIO, url: string, body: Readonly<Record<string, string>>, step: Step): Promise<Record<string, unknown>> {
  for (let attempt = 1; ; attempt += 1) {
    let response: Response;
    try {
      response = await io.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: io.signal,
      });
    } catch (error) {
      throw toAuthError(error, { url, timeoutMs: io.timeoutMs, profile: io.profile });
    }
    const answer = parseJson(await response.text());
    if (response.ok) {
      if (answer === undefined) throw protocolError(url, 'an answer that is not a JSON object', response.status);
      return answer;
    }
    const message = serverMessage(answer);
    if (response.status === 429) {
      const delay = retryAfterSeconds(response.headers.get('retry-after'), io.now());
      if (attempt === 1 && delay !== undefined && delay * 1000 < io.timeoutMs) {
        await io.sleep(delay * 1000, io.signal);
        continue;
      }
      throw new AuthError('NETWORK', `${url} is rate limiting requests (429${message === undefined ? '' : `: ${message}`})`, {
        url,
        status: 429,
        hint: delay === undefined ? 'try again later' : `try again in ${delay} s`,
      });
    }
    throw refusal(url, response.status, message, step, io.profile);
  }
}

function refusal(url: string, status: number, message: string | undefined, step: Step, profile: string): AuthError {
  const said = message === undefined ? `HTTP ${status}` : `${status}: ${message}`;
  if (status >= 500) {
    return new AuthError('NETWORK', `The login API at ${url} failed (${said})`, { url, status, hint: 'try again later' });
  }
  if (status === 404) {
    return new AuthError('CONFIG_INVALID', `There is no machine-identity login API at ${url} (${said})`, {
      url,
      status,
      profile,
      hint: `check the domain (--domain, INFISICAL_API_URL, or domain in profile ${profile}) and the method`,
    });
  }
  const code: AuthErrorCode = status === 403 ? 'ACCESS_DENIED' : 'INVALID_CREDENTIALS';
  const refused = step === 'login' ? 'refused the login' : step === 'renew' ? 'refused to renew the token' : 'refused to revoke the token';
  return new AuthError(code, `${url} ${refused} (${said})`, {
    url,
    status,
    profile,
    hint:
      step === 'login'
        ? `check the credentials and that ${new URL(url).origin} is the right domain`
        : `run \`authctl login --profile ${profile}\``,
  });
}

function processTokenAnswer(answer: Record<string, unknown>, url: string, now: number): MachineTokens {
  const { accessToken, expiresIn, accessTokenMaxTTL, tokenType = 'Bearer' } = answer;
  if (typeof accessToken !== 'string' || !isB64Token(accessToken)) throw protocolError(url, 'no usable accessToken');
  if (!isSeconds(expiresIn)) throw protocolError(url, 'no expiresIn in seconds');
  if (accessTokenMaxTTL !== undefined && !isSeconds(accessTokenMaxTTL)) throw protocolError(url, 'an accessTokenMaxTTL that is not seconds');
  if (typeof tokenType !== 'string' || !isAuthScheme(tokenType)) throw protocolError(url, 'a tokenType that is not an HTTP auth scheme');
  const maxTtl = accessTokenMaxTTL === undefined || accessTokenMaxTTL === 0 ? undefined : accessTokenMaxTTL;
  const lifetime = expiresIn > 0 ? expiresIn : (maxTtl ?? NO_EXPIRY_SECONDS);
  return {
    tokens: { access_token: accessToken, token_type: tokenType, issued_at: now, expires_at: now + lifetime },
    ...(maxTtl === undefined ? {} : { maxTtl }),
  };
}

function isSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The error body's `message`: a string, or (422) a list of validation issues; one line, control characters dropped. */
function serverMessage(answer: Record<string, unknown> | undefined): string | undefined {
  const raw = answer?.message;
  const text = Array.isArray(raw)
    ? raw.map((issue) => (typeof issue === 'object' && issue !== null && typeof issue.message === 'string' ? issue.message : '')).filter(Boolean).join('; ')
    : typeof raw === 'string'
      ? raw
      : '';
  const line = text.replace(/\p{Cc}+/gu, ' ').trim();
  if (line === '') return undefined;
  return line.length > MAX_MESSAGE_LENGTH ? `${line.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : line;
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. */
function retryAfterSeconds(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil(date / 1000 - now));
}

function protocolError(url: string, what: string, status?: number): AuthError {
  return new AuthError('PROTOCOL', `${url} answered with ${what}`, {
    url,
    ...(status === undefined ? {} : { status }),
    hint: 'check that the domain points at a machine-identity login API (auth-server, Infisical)',
  });
}
