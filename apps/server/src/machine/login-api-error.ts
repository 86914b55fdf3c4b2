import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';

/**
 * An answer of the machine-identity login API other than 200, in
 * Infisical's error shape (`backend/src/server/plugins/error-handler.ts`):
 * `{"reqId","statusCode","message","error"}`. Clients build their errors
 * from `message`, so it is always a string.
 */
export class LoginApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterSeconds?: number,
    /** Why, for the server log only: never sent, so failures stay uniform. */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'LoginApiError';
  }
}

/** The one body every failed proof gets, whatever failed (hashicorp/vault#20923: no account enumeration). */
export const INVALID_CREDENTIALS = 'Invalid credentials';

export const invalidCredentials = (reason?: string) => new LoginApiError(401, INVALID_CREDENTIALS, undefined, reason);

const ERROR_NAMES: Record<number, string> = {
  400: 'BadRequestError',
  401: 'UnauthorizedError',
  404: 'NotFoundError',
  405: 'MethodNotAllowedError',
  413: 'PayloadTooLargeError',
  415: 'UnsupportedMediaTypeError',
  429: 'RateLimitError',
  500: 'InternalServerError',
  503: 'ServiceUnavailableError',
};

export function sendLoginApiError(ctx: Context, error: LoginApiError): void {
  ctx.status = error.status;
  if (error.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(error.retryAfterSeconds));
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { reqId: `req-${randomUUID()}`, statusCode: error.status, message: error.message, error: ERROR_NAMES[error.status] ?? 'Error' };
}
