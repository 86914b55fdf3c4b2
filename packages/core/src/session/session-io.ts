import type { ProviderIO } from '../contracts/provider.js';
import type { SessionContext } from './types.js';

export const DEFAULT_TIMEOUT_SECONDS = 30;

/** Fetch, cancellation and the per-request timeout of a session (`timeout` in the profile, seconds). */
export function sessionIO(ctx: SessionContext, allowInsecureHttp: boolean): ProviderIO {
  return {
    fetch: ctx.fetch ?? globalThis.fetch,
    signal: ctx.signal ?? new AbortController().signal,
    timeoutMs: (ctx.profile.settings.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
    allowInsecureHttp,
  };
}

export function nowSeconds(ctx: SessionContext): number {
  return ctx.now?.() ?? Math.floor(Date.now() / 1000);
}
