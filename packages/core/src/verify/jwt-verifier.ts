import { createHash, type KeyObject } from 'node:crypto';
import { AuthError } from '../errors.js';
import { JwksCache, type JwksIO } from './jwks-cache.js';
import { decodeJws, JWS_ALGORITHMS, JwsRefused, keyFits, verifySignature, type DecodedJws, type JwsAlgorithm, type JwsHeader } from './jws.js';

export interface JwtVerifierOptions {
  /** A remote key set, or fixed public keys (any one that verifies is enough). */
  keys: JwksCache | readonly KeyObject[];
  /** Accepted JWS algorithms (default: every asymmetric one). */
  algorithms?: readonly JwsAlgorithm[];
  /** The exact `iss`, or any of a list; unset: not checked. */
  issuer?: string | readonly string[];
  /** One of these must be in `aud` (a string or an array, RFC 7519 §4.1.3); unset: not checked. */
  audience?: string | readonly string[];
  /** Tolerated clock difference for `exp`, `nbf` and `iat`, in seconds (default 60). */
  clockToleranceSeconds?: number;
  /** Claims that must be present (default `exp`). */
  requiredClaims?: readonly string[];
  /** Verified tokens remembered, so a repeated token costs no signature check (default 0: none). */
  cacheSize?: number;
  /** A remembered verification is trusted at most this long, so a key withdrawn from the set stops working (default 10 min). */
  cacheTtlMs?: number;
}

export interface VerifiedJwt {
  header: JwsHeader;
  claims: Record<string, unknown>;
  /** Answered from the verification cache. */
  cached: boolean;
}

export interface JwtVerifierStats {
  verifications: number;
  cacheHits: number;
  refusals: number;
}

interface Remembered {
  header: JwsHeader;
  claims: Record<string, unknown>;
  until: number;
}

/**
 * A JWT verifier for one configuration: strict compact JWS on node:crypto
 * (see `jws.ts`), keys from a `JwksCache` or a fixed list, RFC 7519 §4.1
 * claim checks at the caller's clock, and an optional bounded cache of
 * verified tokens keyed by the token's SHA-256 (the token itself is not
 * kept), whose entries are re-checked against the clock on every hit.
 *
 * Throws `AuthError('ACCESS_DENIED')` for a token that does not hold (the
 * message says why, for the log), and the key set's NETWORK/TIMEOUT/PROTOCOL
 * error when no keys can be had (the platform's failure, answered 503).
 */
export class JwtVerifier {
  readonly stats: JwtVerifierStats = { verifications: 0, cacheHits: 0, refusals: 0 };
  readonly #keys: JwksCache | readonly KeyObject[];
  readonly #algorithms: readonly JwsAlgorithm[];
  readonly #issuers: readonly string[] | undefined;
  readonly #audiences: readonly string[] | undefined;
  readonly #tolerance: number;
  readonly #required: readonly string[];
  readonly #cacheSize: number;
  readonly #cacheTtlMs: number;
  readonly #cache = new Map<string, Remembered>();

  constructor(options: JwtVerifierOptions) {
    this.#keys = options.keys;
    this.#algorithms = options.algorithms ?? JWS_ALGORITHMS;
    this.#issuers = list(options.issuer);
    this.#audiences = list(options.audience);
    this.#tolerance = options.clockToleranceSeconds ?? 60;
    this.#required = options.requiredClaims ?? ['exp'];
    this.#cacheSize = options.cacheSize ?? 0;
    this.#cacheTtlMs = options.cacheTtlMs ?? 10 * 60_000;
  }

  /** `now` is epoch milliseconds; `io` fetches the key set (not needed with fixed keys). */
  async verify(token: string, now: number, io?: JwksIO): Promise<VerifiedJwt> {
    this.stats.verifications += 1;
    try {
      if (this.#cacheSize === 0) return await this.#verify(token, now, io);
      const digest = createHash('sha256').update(token).digest('base64url');
      const hit = this.#cache.get(digest);
      if (hit !== undefined && now < hit.until) {
        this.#checkClaims(hit.claims, now);
        this.stats.cacheHits += 1;
        return { header: hit.header, claims: hit.claims, cached: true };
      }
      if (hit !== undefined) this.#cache.delete(digest);
      const verified = await this.#verify(token, now, io);
      this.#remember(digest, verified, now);
      return verified;
    } catch (error) {
      if (error instanceof JwsRefused) {
        this.stats.refusals += 1;
        throw new AuthError('ACCESS_DENIED', `The token does not verify: ${error.reason}`);
      }
      throw error;
    }
  }

  /** Synchronous when the key is at hand, so the common case costs no extra turn of the event loop. */
  #verify(token: string, now: number, io: JwksIO | undefined): VerifiedJwt | Promise<VerifiedJwt> {
    const jws = decodeJws(token, this.#algorithms);
    const kid = jws.header.kid;
    const cached = this.#keys instanceof JwksCache && kid !== undefined ? this.#keys.cached(kid, now) : undefined;
    if (cached !== undefined) return this.#check(jws, [cached], now);
    return this.#candidates(jws.header, now, io).then((candidates) => this.#check(jws, candidates, now));
  }

  #check(jws: DecodedJws, candidates: readonly KeyObject[], now: number): VerifiedJwt {
    if (!candidates.some((key) => keyFits(jws.header.alg, key))) {
      throw new JwsRefused(`the key${jws.header.kid === undefined ? '' : ` "${jws.header.kid}"`} is not a key for ${jws.header.alg}`);
    }
    if (!candidates.some((key) => verifySignature(jws, key))) throw new JwsRefused('the signature does not verify');
    this.#checkClaims(jws.payload, now);
    return { header: jws.header, claims: jws.payload, cached: false };
  }

  async #candidates(header: JwsHeader, now: number, io: JwksIO | undefined): Promise<readonly KeyObject[]> {
    if (!(this.#keys instanceof JwksCache)) return this.#keys;
    if (io === undefined) throw new AuthError('INTERNAL', `JwtVerifier.verify needs an io to fetch ${this.#keys.url}`);
    const found = await this.#keys.key(header.kid, io, now);
    if (found === undefined) {
      throw new JwsRefused(header.kid === undefined ? `the token names no "kid" and ${this.#keys.url} has no key without one` : `no key "${header.kid}" in ${this.#keys.url}`);
    }
    return Array.isArray(found) ? found : [found as KeyObject];
  }

  /** RFC 7519 §4.1.1–4.1.6, at `now` with the configured tolerance. */
  #checkClaims(claims: Record<string, unknown>, now: number): void {
    const seconds = now / 1000;
    for (const name of this.#required) if (claims[name] === undefined) throw new JwsRefused(`the "${name}" claim is missing`);
    const { exp, nbf, iat } = claims;
    if (exp !== undefined && (typeof exp !== 'number' || !Number.isFinite(exp))) throw new JwsRefused('"exp" is not a number');
    if (typeof exp === 'number' && exp <= seconds - this.#tolerance) throw new JwsRefused('the token has expired ("exp")');
    if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf))) throw new JwsRefused('"nbf" is not a number');
    if (typeof nbf === 'number' && nbf > seconds + this.#tolerance) throw new JwsRefused('the token is not valid yet ("nbf")');
    if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) throw new JwsRefused('"iat" is not a number');
    if (typeof iat === 'number' && iat > seconds + this.#tolerance) throw new JwsRefused('the token was issued in the future ("iat")');
    if (this.#issuers !== undefined && !(typeof claims.iss === 'string' && this.#issuers.includes(claims.iss))) {
      throw new JwsRefused(`the "iss" claim ${JSON.stringify(claims.iss)} is not ${this.#issuers.map((issuer) => JSON.stringify(issuer)).join(' or ')}`);
    }
    if (this.#audiences !== undefined) {
      const aud = claims.aud;
      const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
      if (!audiences.some((value) => typeof value === 'string' && this.#audiences!.includes(value))) {
        throw new JwsRefused(`the "aud" claim ${JSON.stringify(aud)} names none of ${this.#audiences.map((audience) => JSON.stringify(audience)).join(', ')}`);
      }
    }
  }

  #remember(digest: string, verified: VerifiedJwt, now: number): void {
    const exp = verified.claims.exp;
    const until = Math.min(now + this.#cacheTtlMs, typeof exp === 'number' ? (exp + this.#tolerance) * 1000 : now + this.#cacheTtlMs);
    if (this.#cache.size >= this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(digest, { header: verified.header, claims: verified.claims, until });
  }
}

function list(value: string | readonly string[] | undefined): readonly string[] | undefined {
  return value === undefined ? undefined : typeof value === 'string' ? [value] : value;
}
