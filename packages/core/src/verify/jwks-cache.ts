import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { AuthError } from '../errors.js';
import { boundedFetch } from '../http/bounded-fetch.js';
import { platformFetch } from '../http/platform-fetch.js';

/** What a key set is fetched through: the verifier's bounded fetch, its deadline and the request's signal. */
export interface JwksIO {
  fetch: typeof fetch;
  signal: AbortSignal;
  timeoutMs: number;
}

export interface JwksCacheOptions {
  /** A JWKS (RFC 7517 §5) URL, or with `followDiscovery` an OpenID configuration naming one in `jwks_uri`. */
  url: string;
  /** How long a fetched set is used before it is fetched again (default 10 min, jwks-rsa's). */
  maxAgeMs?: number;
  /** Unknown key ids refetch at most this often, and are remembered as unknown this long (default 30 s, Nimbus'). */
  cooldownMs?: number;
  /** How long past `maxAgeMs` the last good set is still used while the endpoint cannot be reached (default 1 h). */
  maxStaleMs?: number;
  /** An answer larger than this is refused (default 256 KiB: Entra's set, certificates included, is about 10 KiB). */
  maxBytes?: number;
  /** Accept an OpenID Provider configuration at `url` and fetch the set its `jwks_uri` names (Auth0's documented InfluxDB example). */
  followDiscovery?: boolean;
  /** The keys of an answer that is not a JWKS (Google's map of key id to X.509 certificate); default: RFC 7517 `keys`. */
  parse?: (body: unknown) => Map<string, KeyObject>;
  /** Take a set's lifetime from its answer's `Cache-Control: max-age`, up to this long (Google's key endpoints send one); `maxAgeMs` applies to an answer without it. */
  maxAgeFromCacheControlUpToMs?: number;
  /** A 404 says the set does not exist (Google's certificates of a deleted service account): no keys, for `cooldownMs`, instead of an outage. */
  notFoundIsEmpty?: boolean;
  /** The next step, in the errors of a set that cannot be fetched. */
  hint?: string;
}

/** Counters for a verifier's metrics. */
export interface JwksCacheStats {
  fetches: number;
  fetchFailures: number;
}

interface KeySet {
  keys: Map<string, KeyObject>;
  /** Keys published without a `kid`, used only by a token that names none. */
  anonymous: KeyObject[];
  fetchedAt: number;
  maxAgeMs: number;
}

const NOT_FOUND = Symbol('not found');
const DEFAULTS = { maxAgeMs: 10 * 60_000, cooldownMs: 30_000, maxStaleMs: 60 * 60_000, maxBytes: 256 * 1024 };
/** Remembered unknown key ids: an attacker choosing key ids must not grow the memo without bound. */
const MAX_UNKNOWN_KIDS = 1024;

/**
 * A remote JSON Web Key Set, cached by the rules of resilient verifiers
 * (jwks-rsa, Nimbus JWKSourceBuilder, Microsoft.IdentityModel):
 *
 * - one fetch at a time, shared by every verification waiting on it;
 * - a set is used for `maxAgeMs`, then fetched again;
 * - an unknown `kid` refetches at most once per `cooldownMs`, and is
 *   remembered as unknown for as long, so forged key ids cost no fetch;
 * - a known `kid` never refetches, whatever the signature says;
 * - when the endpoint cannot be reached (no answer, an error status, an
 *   empty or garbage set), the last good set stays in use until `maxStaleMs`
 *   past its age, then keys fail as NETWORK/TIMEOUT (the platform's failure,
 *   answered 503); a failed attempt is not retried within `cooldownMs`;
 * - keys are imported once per set into `KeyObject`s and reused.
 *
 * Time is the caller's clock (epoch ms), passed to every call.
 */
export class JwksCache {
  readonly url: string;
  readonly stats: JwksCacheStats = { fetches: 0, fetchFailures: 0 };
  readonly #options: Required<Omit<JwksCacheOptions, 'parse' | 'hint' | 'url' | 'maxAgeFromCacheControlUpToMs'>> & Pick<JwksCacheOptions, 'parse' | 'maxAgeFromCacheControlUpToMs'>;
  readonly #hint: string;
  #set: KeySet | undefined;
  #pending: Promise<KeySet> | undefined;
  #failure: { at: number; error: AuthError } | undefined;
  readonly #unknown = new Map<string, number>();

  constructor(options: JwksCacheOptions) {
    this.url = options.url;
    this.#options = {
      maxAgeMs: options.maxAgeMs ?? DEFAULTS.maxAgeMs,
      cooldownMs: options.cooldownMs ?? DEFAULTS.cooldownMs,
      maxStaleMs: options.maxStaleMs ?? DEFAULTS.maxStaleMs,
      maxBytes: options.maxBytes ?? DEFAULTS.maxBytes,
      followDiscovery: options.followDiscovery ?? false,
      notFoundIsEmpty: options.notFoundIsEmpty ?? false,
      parse: options.parse,
      maxAgeFromCacheControlUpToMs: options.maxAgeFromCacheControlUpToMs,
    };
    this.#hint = options.hint ?? `check the JWKS URL ${options.url} and the network path to it`;
  }

  /**
   * The key a token names by `kid` (or the set's only key without one, for a
   * token naming none); undefined when the set has no such key. Throws
   * NETWORK/TIMEOUT/PROTOCOL when no usable set can be had.
   */
  async key(kid: string | undefined, io: JwksIO, now: number): Promise<KeyObject | KeyObject[] | undefined> {
    const set = await this.#current(io, now);
    const found = lookup(set, kid);
    if (found !== undefined || kid === undefined) return found;
    const unknownUntil = this.#unknown.get(kid);
    if (unknownUntil !== undefined && now < unknownUntil) return undefined;
    // A key the set does not have: perhaps a rotation, so one fetch per cooldown finds out.
    if (now - set.fetchedAt >= this.#options.cooldownMs && !this.#coolingDown(now)) {
      const refreshed = await this.#refresh(io, now).catch(() => undefined);
      const again = refreshed === undefined ? undefined : lookup(refreshed, kid);
      if (again !== undefined) return again;
    }
    this.#rememberUnknown(kid, now);
    return undefined;
  }

  /** The key `kid` names when the set is fresh and has it, without waiting: the verifier's fast path. */
  cached(kid: string, now: number): KeyObject | undefined {
    const set = this.#set;
    return set !== undefined && now - set.fetchedAt < set.maxAgeMs ? set.keys.get(kid) : undefined;
  }

  async #current(io: JwksIO, now: number): Promise<KeySet> {
    const set = this.#set;
    if (set !== undefined && now - set.fetchedAt < set.maxAgeMs) return set;
    const usable = set !== undefined && now - set.fetchedAt < set.maxAgeMs + this.#options.maxStaleMs;
    if (this.#coolingDown(now)) {
      if (usable) return set;
      throw this.#failure!.error;
    }
    try {
      return await this.#refresh(io, now);
    } catch (error) {
      if (usable) return set;
      throw error;
    }
  }

  #coolingDown(now: number): boolean {
    return this.#failure !== undefined && now - this.#failure.at < this.#options.cooldownMs;
  }

  #refresh(io: JwksIO, now: number): Promise<KeySet> {
    if (this.#pending === undefined) {
      this.stats.fetches += 1;
      this.#pending = this.#fetch(io, now)
        .then(
          (set) => {
            this.#set = set;
            this.#failure = undefined;
            this.#unknown.clear();
            return set;
          },
          (cause: unknown) => {
            this.stats.fetchFailures += 1;
            const error = AuthError.is(cause) ? cause : new AuthError('NETWORK', `The signing keys at ${this.url} could not be read`, { url: this.url, hint: this.#hint, cause });
            this.#failure = { at: now, error };
            throw error;
          },
        )
        .finally(() => {
          this.#pending = undefined;
        });
    }
    return this.#pending;
  }

  async #fetch(io: JwksIO, now: number): Promise<KeySet> {
    // Shared by every waiting verification, so bounded by its own deadline rather than the first caller's signal.
    const shared = { ...io, fetch: boundedFetch(io.fetch, { timeoutMs: io.timeoutMs, maxBytes: this.#options.maxBytes }), signal: AbortSignal.timeout(io.timeoutMs) };
    let answer = await this.#getJson(shared, this.url);
    if (answer === NOT_FOUND) return { keys: new Map(), anonymous: [], fetchedAt: now, maxAgeMs: this.#options.cooldownMs };
    if (this.#options.followDiscovery && isObject(answer.body) && !('keys' in answer.body) && typeof answer.body.jwks_uri === 'string') {
      const discovered = await this.#getJson(shared, discoveredJwksUri(this.url, answer.body.jwks_uri, this.#hint));
      if (discovered === NOT_FOUND) throw new AuthError('NETWORK', `The jwks_uri named by ${this.url} answered HTTP 404`, { url: this.url, status: 404, hint: this.#hint });
      answer = discovered;
    }
    const keys = this.#options.parse !== undefined ? { keys: this.#options.parse(answer.body), anonymous: [] } : jwksKeys(answer.body);
    if (keys.keys.size === 0 && keys.anonymous.length === 0) {
      throw new AuthError('PROTOCOL', `${this.url} answered without any usable signing key`, { url: this.url, hint: this.#hint });
    }
    return { ...keys, fetchedAt: now, maxAgeMs: this.#maxAge(answer.cacheControl) };
  }

  #maxAge(cacheControl: string | null): number {
    const cap = this.#options.maxAgeFromCacheControlUpToMs;
    const match = cap === undefined ? null : /(?:^|,)\s*max-age=(\d+)/i.exec(cacheControl ?? '');
    return match === null ? this.#options.maxAgeMs : Math.min(Number(match[1]) * 1000, cap!);
  }

  async #getJson(io: JwksIO, url: string): Promise<{ body: unknown; cacheControl: string | null } | typeof NOT_FOUND> {
    const response = await platformFetch(io, url, { headers: { accept: 'application/json' }, redirect: 'error' }, 'the signing keys', this.#hint);
    const text = await response.text();
    if (text.length > this.#options.maxBytes) {
      throw new AuthError('PROTOCOL', `${url} answered more than ${this.#options.maxBytes} bytes; that is not a key set`, { url, hint: this.#hint });
    }
    if (response.status === 404 && this.#options.notFoundIsEmpty) return NOT_FOUND;
    if (response.status !== 200) {
      throw new AuthError('NETWORK', `${url} answered HTTP ${response.status} instead of the signing keys`, { url, status: response.status, hint: this.#hint });
    }
    try {
      return { body: JSON.parse(text) as unknown, cacheControl: response.headers.get('cache-control') };
    } catch (cause) {
      throw new AuthError('PROTOCOL', `${url} did not answer JSON`, { url, hint: this.#hint, cause });
    }
  }

  #rememberUnknown(kid: string, now: number): void {
    if (this.#unknown.size >= MAX_UNKNOWN_KIDS) this.#unknown.delete(this.#unknown.keys().next().value!);
    this.#unknown.set(kid, now + this.#options.cooldownMs);
  }
}

function lookup(set: KeySet, kid: string | undefined): KeyObject | KeyObject[] | undefined {
  if (kid !== undefined) return set.keys.get(kid);
  return set.anonymous.length > 0 ? set.anonymous : undefined;
}

/** RFC 7517 §5: the signature keys of `{"keys": [...]}`; keys this verifier cannot use (encryption, symmetric, unknown types) are skipped. */
function jwksKeys(body: unknown): Pick<KeySet, 'keys' | 'anonymous'> {
  const keys = new Map<string, KeyObject>();
  const anonymous: KeyObject[] = [];
  const list = isObject(body) && Array.isArray(body.keys) ? (body.keys as unknown[]) : [];
  for (const jwk of list) {
    if (!isObject(jwk) || (jwk.use !== undefined && jwk.use !== 'sig') || !['RSA', 'EC', 'OKP'].includes(jwk.kty as string)) continue;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: publicPart(jwk), format: 'jwk' });
    } catch {
      continue;
    }
    if (typeof jwk.kid === 'string') keys.set(jwk.kid, key);
    else anonymous.push(key);
  }
  return { keys, anonymous };
}

/** Only the public members: a set that (wrongly) publishes a private key must not turn into one here. */
function publicPart(jwk: Record<string, unknown>): JsonWebKey {
  const { kty, n, e, crv, x, y } = jwk;
  return Object.fromEntries(Object.entries({ kty, n, e, crv, x, y }).filter(([, value]) => value !== undefined)) as JsonWebKey;
}

/** A discovery document's `jwks_uri`, never a downgrade from https to plain http. */
function discoveredJwksUri(from: string, jwksUri: string, hint: string): string {
  if (!URL.canParse(jwksUri)) throw new AuthError('PROTOCOL', `${from} names a jwks_uri that is not a URL`, { url: from, hint });
  const target = new URL(jwksUri);
  const source = new URL(from);
  if (!['https:', 'http:'].includes(target.protocol) || (source.protocol === 'https:' && target.protocol !== 'https:')) {
    throw new AuthError('PROTOCOL', `${from} names a jwks_uri that is not https: ${jwksUri}`, { url: from, hint });
  }
  return target.href;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
