import type { Context, Next } from 'koa';
import type { Logger } from 'pino';

/**
 * One line per request. Only the path is logged: query strings carry
 * authorization codes and state, headers carry credentials and cookies.
 */
export function requestLog(logger: Logger) {
  return async function logRequest(ctx: Context, next: Next): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      logger.info(
        {
          event: 'http.request',
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Number((process.hrtime.bigint() - started) / 1_000_000n),
        },
        'request',
      );
    }
  };
}
