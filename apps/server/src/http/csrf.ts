import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Per-interaction CSRF tokens: an HMAC of the interaction id under the
 * server's CSRF key, so no state is stored and a token is useless for any
 * other interaction. The interaction cookie binds the id to the browser.
 */
export function csrfToken(key: string, interactionId: string): string {
  return createHmac('sha256', key).update(`interaction:${interactionId}`).digest('base64url');
}

export function isValidCsrfToken(key: string, interactionId: string, presented: string | null): boolean {
  if (!presented) return false;
  const expected = Buffer.from(csrfToken(key, interactionId));
  const actual = Buffer.from(presented);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
