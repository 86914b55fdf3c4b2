import { AsyncLocalStorage } from 'node:async_hooks';
import type { Middleware } from 'koa';

/**
 * The client address of the request being served, for code that oidc-provider
 * calls without its request context (a client's `compareClientSecret`).
 * oidc-provider 8 keeps no AsyncLocalStorage of its own.
 */
const addresses = new AsyncLocalStorage<string>();

/** Makes `ctx.ip` (Koa's, honouring `proxy` and `maxIpsCount`) available to everything the request runs. */
export const rememberRequestAddress: Middleware = (ctx, next) => addresses.run(ctx.ip, next);

/** The address of the request being served, or '' outside a request. */
export function requestAddress(): string {
  return addresses.getStore() ?? '';
}
