import type { Context, Next } from 'koa';

/**
 * RFC 6749 §5.2: a client asking for a grant type it may not use gets
 * `unauthorized_client`. oidc-provider answers `invalid_request` with this
 * description, so the code is corrected on the way out.
 */
const DISALLOWED_GRANT = 'requested grant type is not allowed for this client';

export async function disallowedGrantError(ctx: Context, next: Next): Promise<void> {
  await next();
  const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
  if (ctx.status === 400 && body?.error === 'invalid_request' && body.error_description === DISALLOWED_GRANT) {
    body.error = 'unauthorized_client';
  }
}
