import { randomBytes } from 'node:crypto';
import type { Context, Next } from 'koa';

/**
 * Every response gets a strict CSP with a fresh nonce: pages carry their
 * CSS (and the code page its copy script) inline under that nonce; nothing
 * loads from elsewhere. oidc-provider appends the hash of its own form_post
 * script to script-src. Pages never leak the URL (codes travel in query
 * strings) through Referer, and are never cached.
 */
export async function securityHeaders(ctx: Context, next: Next): Promise<void> {
  const nonce = randomBytes(16).toString('base64');
  ctx.state.nonce = nonce;
  ctx.set(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'`,
  );
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  await next();
  if (ctx.response.is('html')) ctx.set('Cache-Control', 'no-store');
}

export function nonceOf(ctx: { state: Record<string, unknown> }): string {
  return typeof ctx.state.nonce === 'string' ? ctx.state.nonce : '';
}
