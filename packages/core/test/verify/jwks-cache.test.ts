import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthError } from '../../src/errors.js';
import { boundedFetch } from '../../src/http/bounded-fetch.js';
import { JwksCache, JwtVerifier } from '../../src/verify/index.js';
import { signingKey, startJwksEndpoint, type JwksEndpoint, type SigningKey } from './jwks-endpoint.js';

const MINUTE = 60_000;
const io = (timeoutMs = 5000) => ({ fetch: boundedFetch(fetch, { timeoutMs }), signal: AbortSignal.timeout(timeoutMs), timeoutMs });

let key: SigningKey;
let endpoint: JwksEndpoint;
let t: number;
beforeEach(async () => {
  key = signingKey();
  endpoint = await startJwksEndpoint(key);
  t = Date.UTC(2026, 0, 1);
});
afterEach(() => endpoint.close());

async function failure(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(AuthError.is(error)).toBe(true);
  return error as AuthError;
}

describe('JwksCache: when the set is fetched', () => {
  it('single flight: twenty verifications arriving together cost one fetch', async () => {
    const cache = new JwksCache({ url: endpoint.url });
    const keys = await Promise.all(Array.from({ length: 20 }, () => cache.key(key.kid, io(), t)));
    expect(endpoint.fetches).toBe(1);
    expect(new Set(keys).size).toBe(1);
  });

  it('a key is imported once per set: the same KeyObject serves every verification', async () => {
    const cache = new JwksCache({ url: endpoint.url });
    const first = await cache.key(key.kid, io(), t);
    expect(await cache.key(key.kid, io(), t + MINUTE)).toBe(first);
    expect(first).toMatchObject({ type: 'public', asymmetricKeyType: 'rsa' });
  });

  it('a set is used for its max age (10 min), then fetched again once, single flight', async () => {
    const cache = new JwksCache({ url: endpoint.url });
    await cache.key(key.kid, io(), t);
    await cache.key(key.kid, io(), t + 10 * MINUTE - 1);
    expect(endpoint.fetches).toBe(1);
    await Promise.all([cache.key(key.kid, io(), t + 10 * MINUTE), cache.key(key.kid, io(), t + 10 * MINUTE)]);
    expect(endpoint.fetches).toBe(2);
  });

  it('an unknown kid refetches at most once per 30 s cooldown, and is remembered as unknown meanwhile', async () => {
    const cache = new JwksCache({ url: endpoint.url });
    await cache.key(key.kid, io(), t);
    // The set is younger than the cooldown: no refetch for a kid it lacks.
    expect(await cache.key('forged-1', io(), t + 10_000)).toBeUndefined();
    expect(endpoint.fetches).toBe(1);
    expect(await cache.key('forged-2', io(), t + 30_000)).toBeUndefined();
    expect(endpoint.fetches).toBe(2);
    // Within the cooldown of that fetch: neither another nor the same unknown kid fetches again.
    expect(await cache.key('forged-3', io(), t + 45_000)).toBeUndefined();
    expect(await cache.key('forged-2', io(), t + 59_000)).toBeUndefined();
    expect(endpoint.fetches).toBe(2);
    expect(await cache.key('forged-4', io(), t + 60_000)).toBeUndefined();
    expect(endpoint.fetches).toBe(3);
  });

  it('a rotated key (new kid) is picked up by the refetch its first token triggers', async () => {
    const cache = new JwksCache({ url: endpoint.url });
    await cache.key(key.kid, io(), t);
    const next = signingKey();
    endpoint.publish(key, next);
    expect(await cache.key(next.kid, io(), t + MINUTE)).toBeDefined();
    expect(endpoint.fetches).toBe(2);
  });

  it('a bad signature under a known kid never refetches', async () => {
    const cache = new JwksCache({ url: endpoint.url });
    const verifier = new JwtVerifier({ keys: cache });
    const forger = signingKey('RS256', key.kid);
    const forged = await forger.sign({ sub: 'mallory', exp: t / 1000 + 600 });
    for (const at of [t, t + MINUTE, t + 2 * MINUTE]) {
      const error = await failure(verifier.verify(forged, at, io()));
      expect(error.code).toBe('ACCESS_DENIED');
      expect(error.message).toContain('signature');
    }
    expect(endpoint.fetches).toBe(1);
  });

  it('an OpenID configuration is followed to its jwks_uri with followDiscovery (Auth0\'s documented jwksEndpoint)', async () => {
    const cache = new JwksCache({ url: endpoint.discoveryUrl, followDiscovery: true });
    expect(await cache.key(key.kid, io(), t)).toBeDefined();
    const plain = new JwksCache({ url: endpoint.discoveryUrl });
    expect((await failure(plain.key(key.kid, io(), t))).code).toBe('PROTOCOL');
  });
});

describe('JwksCache: options for key endpoints that are not plain JWKS URLs', () => {
  it('maxAgeFromCacheControlUpToMs: a set lives its answer\'s max-age, capped; maxAgeMs without one', async () => {
    endpoint.cacheControl = 'public, max-age=21600, must-revalidate';
    const cache = new JwksCache({ url: endpoint.url, maxAgeMs: 5 * MINUTE, maxAgeFromCacheControlUpToMs: 60 * MINUTE });
    await cache.key(key.kid, io(), t);
    await cache.key(key.kid, io(), t + 60 * MINUTE - 1);
    expect(endpoint.fetches).toBe(1);
    endpoint.cacheControl = undefined;
    await cache.key(key.kid, io(), t + 60 * MINUTE);
    await cache.key(key.kid, io(), t + 65 * MINUTE - 1);
    expect(endpoint.fetches).toBe(2);
    await cache.key(key.kid, io(), t + 65 * MINUTE);
    expect(endpoint.fetches).toBe(3);
  });

  it('notFoundIsEmpty: a 404 is a set without keys (kept for the cooldown), not an outage', async () => {
    endpoint.answer = '404';
    const cache = new JwksCache({ url: endpoint.url, notFoundIsEmpty: true });
    expect(await cache.key(key.kid, io(), t)).toBeUndefined();
    expect(await cache.key(key.kid, io(), t + 29_000)).toBeUndefined();
    expect(endpoint.fetches).toBe(1);
    expect((await failure(new JwksCache({ url: endpoint.url }).key(key.kid, io(), t))).code).toBe('NETWORK');
  });
});

describe('JwksCache: when the IdP cannot be reached', () => {
  it.each(['503', 'refuse-connection'] as const)('the last good set is served stale up to the bound (default 1 h), then it is a platform failure (%s)', async (answer) => {
    const cache = new JwksCache({ url: endpoint.url });
    const good = await cache.key(key.kid, io(), t);
    endpoint.answer = answer;
    expect(await cache.key(key.kid, io(), t + 10 * MINUTE)).toBe(good);
    expect(endpoint.fetches).toBe(2);
    // A failed attempt is not repeated within the cooldown.
    expect(await cache.key(key.kid, io(), t + 10 * MINUTE + 29_000)).toBe(good);
    expect(endpoint.fetches).toBe(2);
    expect(await cache.key(key.kid, io(), t + 70 * MINUTE - 1)).toBe(good);
    const error = await failure(cache.key(key.kid, io(), t + 70 * MINUTE));
    expect(['NETWORK', 'TIMEOUT']).toContain(error.code);
    expect(error.message).toContain(endpoint.url);
    expect(cache.stats.fetchFailures).toBeGreaterThanOrEqual(2);
  });

  it('the stale bound is configurable', async () => {
    const cache = new JwksCache({ url: endpoint.url, maxStaleMs: 5 * MINUTE });
    await cache.key(key.kid, io(), t);
    endpoint.answer = '503';
    expect(await cache.key(key.kid, io(), t + 14 * MINUTE)).toBeDefined();
    expect((await failure(cache.key(key.kid, io(), t + 15 * MINUTE))).code).toBe('NETWORK');
  });

  it('the IdP back: the next attempt after the cooldown replaces the stale set', async () => {
    const cache = new JwksCache({ url: endpoint.url });
    await cache.key(key.kid, io(), t);
    endpoint.answer = '503';
    await cache.key(key.kid, io(), t + 10 * MINUTE);
    endpoint.answer = 'keys';
    await cache.key(key.kid, io(), t + 11 * MINUTE);
    expect(endpoint.fetches).toBe(3);
    // Fresh for its own 10 minutes, and no longer bound by the old set's stale limit.
    await cache.key(key.kid, io(), t + 20 * MINUTE);
    expect(endpoint.fetches).toBe(3);
  });

  it.each(['empty-set', 'garbage'] as const)('an answer with no usable key (%s) never replaces a good set', async (answer) => {
    const cache = new JwksCache({ url: endpoint.url });
    const good = await cache.key(key.kid, io(), t);
    endpoint.answer = answer;
    expect(await cache.key(key.kid, io(), t + 10 * MINUTE)).toBe(good);
    expect(cache.stats).toEqual({ fetches: 2, fetchFailures: 1 });
    const fresh = new JwksCache({ url: endpoint.url });
    expect((await failure(fresh.key(key.kid, io(), t))).code).toBe('PROTOCOL');
  });

  it('an answer larger than the size cap is refused, and no set is made of it', async () => {
    endpoint.answer = 'huge';
    const cache = new JwksCache({ url: endpoint.url, maxBytes: 64 * 1024 });
    const error = await failure(cache.key(key.kid, io(), t));
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).toContain(endpoint.url);
  });

  it('an endpoint that never answers fails as TIMEOUT within the fetch deadline', async () => {
    endpoint.answer = 'hang';
    const cache = new JwksCache({ url: endpoint.url });
    const started = performance.now();
    const error = await failure(cache.key(key.kid, io(300), t));
    expect(error.code).toBe('TIMEOUT');
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
