import type { ProviderIO } from '../contracts/v1/provider.js';
import { boundedFetch } from '../http/bounded-fetch.js';
import { profileFetch } from '../http/profile-fetch.js';
import type { SessionContext } from './types.js';

export const DEFAULT_TIMEOUT_SECONDS = 30;

/**
 * Fetch, cancellation and the per-request timeout of a session (`timeout` in
 * the profile, seconds). The fetch is bounded in time and size, so whatever a
 * provider sends through it directly is held to the same limits as the flows.
 */
export function sessionIO(ctx: SessionContext, allowInsecureHttp: boolean): ProviderIO {
  const timeoutMs = (ctx.profile.settings.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  return {
    fetch: boundedFetch(ctx.fetch ?? sessionFetch(ctx), { timeoutMs }),
    signal: ctx.signal ?? new AbortController().signal,
    timeoutMs,
    allowInsecureHttp,
    env: ctx.env ?? process.env,
  };
}

const sessionFetches = new WeakMap<SessionContext, typeof fetch>();

/** One fetch per session, so its connections (and a proxy tunnel) are reused across the session's requests. */
function sessionFetch(ctx: SessionContext): typeof fetch {
  let made = sessionFetches.get(ctx);
  if (made === undefined) {
    made = profileFetch(ctx.profile);
    sessionFetches.set(ctx, made);
  }
  return made;
}

export function nowSeconds(ctx: SessionContext): number {
  return ctx.now?.() ?? Math.floor(Date.now() / 1000);
}
