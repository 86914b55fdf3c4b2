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
}

const OAUTH_ERROR_CODES: Readonly<Record<string, AuthErrorCode>> = {
  invalid_grant: 'INVALID_GRANT',
  invalid_client: 'INVALID_CLIENT',
  unauthorized_client: 'INVALID_CLIENT',
  access_denied: 'ACCESS_DENIED',
  expired_token: 'EXPIRED_TOKEN',
};

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
  const loginHint = site.profile ? `run \`authctl login --profile ${site.profile}\`` : 'log in again';

  if (error instanceof oauth.ResponseBodyError) {
    return remoteError(error.error, error.error_description, error.status, url, loginHint, error);
  }
  if (error instanceof oauth.AuthorizationResponseError) {
    const code = OAUTH_ERROR_CODES[error.error] === 'INVALID_CLIENT' ? 'INVALID_CLIENT' : 'ACCESS_DENIED';
    return new AuthError(code, `The authorization server refused the login: ${describe(error.error, error.error_description)}`, {
      url,
      oauthError: error.error,
      hint: code === 'ACCESS_DENIED' ? `approve the request, or ${loginHint}` : 'check client_id in the profile',
      cause: error,
    });
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = error.cause[0];
    const oauthError = challenge?.parameters.error ?? 'invalid_client';
    return remoteError(oauthError, challenge?.parameters.error_description, error.status, url, loginHint, error);
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
  status: number,
  url: string,
  loginHint: string,
  cause: unknown,
): AuthError {
  const code = OAUTH_ERROR_CODES[oauthError] ?? 'PROTOCOL';
  const hints: Partial<Record<AuthErrorCode, string>> = {
    INVALID_GRANT: loginHint,
    EXPIRED_TOKEN: loginHint,
    INVALID_CLIENT: 'check client_id and the client secret of the profile',
    ACCESS_DENIED: `approve the request, or ${loginHint}`,
  };
  const hint = hints[code];
  return new AuthError(code, `${url} rejected the request: ${describe(oauthError, description)}`, {
    url,
    status,
    oauthError,
    ...(hint === undefined ? {} : { hint }),
    cause,
  });
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
