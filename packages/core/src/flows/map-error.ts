import * as oauth from 'oauth4webapi';
import { AuthError, type AuthErrorCode } from '../errors.js';
import { requestUrl } from '../http/request-url.js';

/** What a failed protocol step was talking to, for the message. */
export interface FailureSite {
  /** The endpoint the request went to. */
  url: string;
  /** The per-request timeout that applied, in milliseconds. */
  timeoutMs: number;
  /** The profile, so hints can name the command to run. */
  profile?: string;
  /** The provider's own OAuth `error` values and the RFC ones they mean (OAuthCapability.errorAliases). */
  errorAliases?: Readonly<Record<string, string>>;
}

/** What a flow's failure names: where the request went, its timeout, the profile and the provider's error aliases. */
export function flowFailureSite(ctx: { profile: string; timeoutMs: number; errorAliases?: Readonly<Record<string, string>> }, url: string): FailureSite {
  return { url, timeoutMs: ctx.timeoutMs, profile: ctx.profile, ...(ctx.errorAliases === undefined ? {} : { errorAliases: ctx.errorAliases }) };
}

/** The RFC `error` value a provider's own one stands for (an own property only, so `constructor` is not one); others stay as they are. */
export function rfcOAuthError(oauthError: string, aliases: Readonly<Record<string, string>> | undefined): string {
  return aliases !== undefined && Object.hasOwn(aliases, oauthError) ? aliases[oauthError]! : oauthError;
}

/**
 * What an OAuth `error` value (RFC 6749 §4.1.2.1 and §5.2, RFC 7009 §2.2.1,
 * RFC 8628 §3.5, RFC 8707 §2) means here. An answer like this is the IdP
 * saying no, so it never maps to NETWORK or TIMEOUT (exit 5, "retry") unless
 * the IdP itself says it is failing. A value not listed is a refusal.
 */
const OAUTH_ERROR_CODES: Readonly<Record<string, AuthErrorCode>> = {
  invalid_grant: 'INVALID_GRANT',
  invalid_client: 'INVALID_CLIENT',
  access_denied: 'ACCESS_DENIED',
  expired_token: 'EXPIRED_TOKEN',
  // The profile asks for something this IdP or this client does not allow: only a configuration change helps.
  invalid_request: 'CONFIG_INVALID',
  unauthorized_client: 'CONFIG_INVALID',
  unsupported_grant_type: 'CONFIG_INVALID',
  unsupported_response_type: 'CONFIG_INVALID',
  invalid_scope: 'CONFIG_INVALID',
  invalid_target: 'CONFIG_INVALID',
  unsupported_token_type: 'CONFIG_INVALID',
  // The IdP reports its own failure: worth retrying later.
  server_error: 'NETWORK',
  temporarily_unavailable: 'NETWORK',
};

/** The code of a listed OAuth error value; an own property only, so `constructor` is not one. */
function listedCode(oauthError: string): AuthErrorCode | undefined {
  return Object.hasOwn(OAUTH_ERROR_CODES, oauthError) ? OAUTH_ERROR_CODES[oauthError] : undefined;
}

/** The next step for each OAuth error value that needs more than its code's general advice. */
function oauthErrorHint(oauthError: string, profile: string | undefined): { hint: string; key?: string } | undefined {
  const where = profile === undefined ? 'the profile' : `profiles.${profile}`;
  const key = (name: string) => (profile === undefined ? {} : { key: `${where}.${name}` });
  const anotherFlow = `log in with another --flow, or change \`flow\` in ${where}`;
  switch (oauthError) {
    case 'invalid_scope':
      return { hint: `check \`scopes\` in ${where}: the IdP does not grant one of them to this client`, ...key('scopes') };
    case 'invalid_target':
      return { hint: `check the resource or audience in \`parameters\` of ${where}`, ...key('parameters') };
    case 'unauthorized_client':
      return { hint: `this client may not use this grant at the IdP: ${anotherFlow}, or allow the grant for the client at the IdP` };
    case 'unsupported_grant_type':
      return { hint: `the IdP does not offer this grant: ${anotherFlow}` };
    case 'unsupported_response_type':
      return { hint: `this client may not use the authorization code flow at the IdP: ${anotherFlow}` };
    case 'invalid_request':
      return { hint: `the IdP finds the request incomplete or malformed: compare client_id, parameters and redirect URIs in ${where} with the client's settings at the IdP` };
    case 'unsupported_token_type':
      return { hint: 'the IdP does not handle this kind of token here' };
    case 'server_error':
    case 'temporarily_unavailable':
      return { hint: 'the IdP reports a failure of its own; try again later' };
    default:
      return listedCode(oauthError) !== undefined
        ? undefined
        : { hint: `the IdP refused with an error authctl does not know; see the IdP's documentation of "${oauthError}"` };
  }
}

const NETWORK_ERRNOS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
};

/**
 * Turns whatever a protocol step threw (oauth4webapi errors, fetch failures,
 * aborts) into an AuthError with a stable code. The message names the URL and
 * the remote error; it never includes a request body, so no token or secret.
 */
export function toAuthError(error: unknown, site: FailureSite): AuthError {
  if (AuthError.is(error)) return error;
  const url = requestUrl(site.url);

  if (error instanceof oauth.ResponseBodyError) {
    return remoteError(error.error, error.error_description, error.status, url, site, `${url} rejected the request`, error);
  }
  if (error instanceof oauth.AuthorizationResponseError) {
    return remoteError(error.error, error.error_description, undefined, url, site, `The authorization server refused the login`, error);
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = error.cause[0];
    const oauthError = challenge?.parameters.error ?? 'invalid_client';
    return remoteError(oauthError, challenge?.parameters.error_description, error.status, url, site, `${url} rejected the request`, error);
  }
  if (error instanceof oauth.OperationProcessingError) return processingError(error, url);
  if (error instanceof oauth.UnsupportedOperationError) {
    return new AuthError('PROTOCOL', `${url} answered with something this client does not support: ${error.message}`, {
      url,
      cause: error,
    });
  }
  if (isNamed(error, 'TimeoutError')) {
    return new AuthError('TIMEOUT', `No answer from ${url} within ${formatSeconds(site.timeoutMs)}`, {
      url,
      hint: 'check that the server is up; raise `timeout` (seconds) in the profile if it is just slow',
      cause: error,
    });
  }
  if (isNamed(error, 'AbortError')) {
    return new AuthError('CANCELLED', `The request to ${url} was cancelled`, { url, cause: error });
  }
  const errno = networkErrno(error);
  if (errno !== undefined) {
    return new AuthError('NETWORK', `Cannot reach ${url}: ${NETWORK_ERRNOS[errno] ?? errno} (${errno})`, {
      url,
      hint: 'check the URL in the profile and your network connection',
      cause: error,
    });
  }
  if (error instanceof TypeError && error.message === 'fetch failed') {
    return new AuthError('NETWORK', `Cannot reach ${url}`, {
      url,
      hint: 'check the URL in the profile and your network connection',
      cause: error,
    });
  }
  return new AuthError('INTERNAL', `Unexpected failure talking to ${url}`, { url, cause: error });
}

function remoteError(
  oauthError: string,
  description: string | undefined,
  status: number | undefined,
  url: string,
  site: FailureSite,
  refused: string,
  cause: unknown,
): AuthError {
  // The code and the advice follow what the value means; the message and details quote what the server said.
  const meaning = rfcOAuthError(oauthError, site.errorAliases);
  const code = clientAuthenticationFailed(meaning, status) ? 'INVALID_CLIENT' : (listedCode(meaning) ?? 'ACCESS_DENIED');
  const loginHint = site.profile ? `run \`authctl login --profile ${site.profile}\`` : 'log in again';
  const hints: Partial<Record<AuthErrorCode, string>> = {
    INVALID_GRANT: loginHint,
    EXPIRED_TOKEN: loginHint,
    INVALID_CLIENT: 'check client_id and the client secret of the profile',
    ACCESS_DENIED: `approve the request, or ${loginHint}`,
  };
  const specific = code === 'INVALID_CLIENT' ? undefined : oauthErrorHint(meaning, site.profile);
  const hint = specific?.hint ?? hints[code];
  return new AuthError(code, `${refused}: ${describe(oauthError, description)}`, {
    url,
    ...(status === undefined ? {} : { status }),
    oauthError,
    ...(site.profile === undefined ? {} : { profile: site.profile }),
    ...(specific?.key === undefined ? {} : { key: specific.key }),
    ...(hint === undefined ? {} : { hint }),
    cause,
  });
}

/**
 * RFC 6749 §5.2: a failed client authentication is answered with HTTP 401.
 * Some servers send another value with it for a wrong client secret
 * (`unauthorized_client`; Auth0 `access_denied` "Unauthorized"); the status
 * tells that apart from a client that may not use the grant, or a person who
 * said no (400, 403).
 */
const SENT_FOR_A_WRONG_CLIENT_SECRET = new Set(['unauthorized_client', 'access_denied']);

function clientAuthenticationFailed(oauthError: string, status: number | undefined): boolean {
  return oauthError === 'invalid_client' || (status === 401 && SENT_FOR_A_WRONG_CLIENT_SECRET.has(oauthError));
}

function processingError(error: oauth.OperationProcessingError, url: string): AuthError {
  const status = error.cause instanceof Response ? error.cause.status : undefined;
  const withStatus = status === undefined ? {} : { status };
  switch (error.code) {
    case oauth.HTTP_REQUEST_FORBIDDEN:
      return new AuthError('CONFIG_INVALID', `Refusing plain http:// to ${url}: only loopback hosts may use http://`, {
        url,
        hint: 'use https://, or set `allow_http = true` in the profile if you really mean it',
        cause: error,
      });
    case oauth.RESPONSE_IS_NOT_CONFORM:
      if (status !== undefined && status >= 500) {
        return new AuthError('NETWORK', `${url} is failing: it answered HTTP ${status}`, {
          url,
          status,
          hint: 'the server has a problem; try again later',
          cause: error,
        });
      }
      return new AuthError('PROTOCOL', `${url} gave an unexpected answer${status === undefined ? '' : ` (HTTP ${status})`}`, {
        url,
        ...withStatus,
        hint: 'check that the URL in the profile points at an OAuth 2.0 / OpenID Connect server',
        cause: error,
      });
    case oauth.JSON_ATTRIBUTE_COMPARISON:
      return new AuthError('CONFIG_INVALID', `${url} describes a different issuer than the profile names`, {
        url,
        hint: 'set the issuer exactly as the server states it (scheme, host, path, trailing slash)',
        cause: error,
      });
    default:
      return new AuthError('PROTOCOL', `${url} gave an answer that is not valid OAuth: ${error.message}`, {
        url,
        ...withStatus,
        cause: error,
      });
  }
}

function describe(oauthError: string, description: string | undefined): string {
  return description ? `${oauthError} (${description})` : oauthError;
}

function isNamed(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}

/** The errno of a failed fetch: undici wraps it in `cause`, sometimes twice. */
function networkErrno(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (code in NETWORK_ERRNOS || /^E[A-Z]+$/.test(code))) return code;
    const nested = (current as { errors?: unknown[] }).errors?.[0];
    current = (current as { cause?: unknown }).cause ?? nested;
  }
  return undefined;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
