/**
 * When is a cached access token too old to hand out? Kept free of heavy
 * imports: the `print-token` hot path uses it.
 *
 * A token is refreshed once less than the window remains: a third of its
 * lifetime, capped at 60 s (short-lived tokens refresh proportionally early,
 * long-lived ones a minute before they lapse), and never hands out a token
 * with less than `MIN_REMAINING_SECONDS` left.
 */
export const MAX_WINDOW_SECONDS = 60;
export const MIN_REMAINING_SECONDS = 5;

export interface TokenTimes {
  expires_at: number;
  issued_at?: number | undefined;
}

export function refreshWindowSeconds(token: TokenTimes): number {
  const lifetime = token.issued_at === undefined ? MAX_WINDOW_SECONDS * 3 : token.expires_at - token.issued_at;
  return Math.max(Math.min(MAX_WINDOW_SECONDS, Math.floor(lifetime / 3)), MIN_REMAINING_SECONDS);
}

/** True when the token should be refreshed (or re-obtained) before use. */
export function needsRefresh(token: TokenTimes, nowSeconds: number = Math.floor(Date.now() / 1000)): boolean {
  return token.expires_at - nowSeconds <= refreshWindowSeconds(token);
}

/** True when the token can no longer be used at all. */
export function isExpired(token: TokenTimes, nowSeconds: number = Math.floor(Date.now() / 1000)): boolean {
  return token.expires_at <= nowSeconds;
}
