import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { messagePage } from '../pages/message-page.js';
import { HttpProblem } from './http-problem.js';
import { nonceOf } from './security-headers.js';

/** oidc-provider reads at most 56 KiB of a body; say so with 413 before anyone reads it. */
export const BODY_LIMIT_BYTES = 56 * 1024;

const OAUTH_ERRORS: Record<number, string> = { 500: 'server_error', 503: 'temporarily_unavailable' };

/**
 * Turns anything our routes throw into a page (or an OAuth-style JSON error
 * for API clients) with a 4xx status; an unexpected error is logged and
 * answered with a plain 500 page, never a stack trace. State that cannot be
 * saved right now is a 503 (logged once by the state store, not here).
 */
export function errorBoundary(logger: Logger) {
  return async function handleErrors(ctx: Context, next: Next): Promise<void> {
    try {
      if ((ctx.request.length ?? 0) > BODY_LIMIT_BYTES) {
        throw new HttpProblem(413, 'Request too large', `The request body is larger than ${BODY_LIMIT_BYTES} bytes.`, 'Send a smaller request.');
      }
      // oidc-provider builds its URLs from the request's own; a Host (or trusted X-Forwarded-Host) that is no host makes them throw.
      if (!URL.canParse(ctx.href)) {
        throw new HttpProblem(400, 'Bad request', 'The Host header is not a valid host name and port.', 'Send the request to the issuer’s address.');
      }
      await next();
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status === 500) logger.error({ event: 'http.error', err: { message: (error as Error).message, name: (error as Error).name } }, 'unexpected error');
      ctx.status = problem.status;
      if (ctx.accepts('html', 'json') === 'json') {
        ctx.body = { error: OAUTH_ERRORS[problem.status] ?? 'invalid_request', error_description: problem.message };
        return;
      }
      ctx.type = 'html';
      ctx.body = messagePage({ nonce: nonceOf(ctx), title: problem.title, message: problem.message, next: problem.next });
    }
  };
}

function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  // oidc-provider's own errors (e.g. SessionNotFound) say whether they are safe to show.
  const oidc = error as { expose?: boolean; statusCode?: number; error?: string; error_description?: string };
  if (oidc.expose && oidc.statusCode === 503) {
    return new HttpProblem(503, 'Temporarily unavailable', 'The server cannot save sign-ins right now.', 'Try again in a moment.');
  }
  if (oidc.expose && oidc.statusCode && oidc.statusCode < 500) {
    const expired = oidc.error === 'invalid_request' || oidc.error === 'session_not_found';
    return new HttpProblem(
      oidc.statusCode,
      expired ? 'Sign-in expired' : 'Request refused',
      oidc.error_description ?? 'The request could not be processed.',
      'Start the sign-in again from the application.',
    );
  }
  return new HttpProblem(500, 'Server error', 'Something went wrong on the server. The error was logged.', 'Try again in a moment.');
}
