import { refreshWindowSeconds, type TokenTimes } from '@auth/core';

/** First retry after a failed refresh; doubled each time, up to `MAX_BACKOFF_MS`. */
export const MIN_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 5 * 60_000;
/** A sink is removed this long before its token expires, so a reader never gets one that lapses in flight. */
export const SINK_MARGIN_MS = 1_000;

/**
 * When the agent refreshes (epoch ms): at about two thirds of the token's
 * lifetime, jittered earlier by up to a tenth of it so agents on many
 * machines do not call the IdP in step, and always before the refresh window
 * in which `print-token` would refresh by itself (so callers beside a running
 * agent never have to).
 */
export function refreshAtMs(token: TokenTimes, random: () => number): number {
  const issuedAt = token.issued_at ?? token.expires_at - 3 * refreshWindowSeconds(token);
  const lifetimeMs = (token.expires_at - issuedAt) * 1000;
  const twoThirds = issuedAt * 1000 + (lifetimeMs * 2) / 3 - random() * (lifetimeMs / 10);
  const beforeWindow = (token.expires_at - refreshWindowSeconds(token)) * 1000 - SINK_MARGIN_MS;
  return Math.max(issuedAt * 1000, Math.min(twoThirds, beforeWindow));
}

/** Exponential back-off with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"), never below a second. */
export function backoffMs(failures: number, random: () => number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** Math.max(0, failures - 1));
  return Math.max(MIN_BACKOFF_MS, Math.round(ceiling * (0.5 + random() / 2)));
}

/** A token this close to expiry is not put in, or left in, a sink. */
export function sinkWorthy(token: { expires_at: number }, nowMs: number): boolean {
  return token.expires_at * 1000 - nowMs > SINK_MARGIN_MS;
}
