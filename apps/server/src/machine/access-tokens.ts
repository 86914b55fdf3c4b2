import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, importJWK, jwtVerify, SignJWT, type JWK, type JWTVerifyGetKey, type CryptoKey } from 'jose';
import { publicJwks, type KeySet } from '../keys/key-store.js';
import type { IdentityConfig } from './identity-config.js';
import { invalidCredentials, LoginApiError } from './login-api-error.js';
import type { TokenRevocationStore } from './token-revocations.js';

/**
 * Machine access tokens: JWTs signed with the issuer's current signing key,
 * so anyone verifies them offline against the issuer's JWKS (Infisical signs
 * HS256 with a server secret instead). The header `typ` is
 * `MACHINE_TOKEN_TYPE`, never RFC 9068's `at+jwt`, so a resource server that
 * checks `typ` cannot take one for an OAuth access token, and neither carries
 * an `aud` the other would accept.
 */
export const MACHINE_TOKEN_TYPE = 'machine+jwt';

/** The login API's success body (Infisical's). */
export interface MachineLogin {
  accessToken: string;
  expiresIn: number;
  accessTokenMaxTTL: number;
  tokenType: 'Bearer';
}

export interface MachineTokenClaims {
  iss: string;
  /** The identity id. */
  sub: string;
  jti: string;
  /** The login session, shared by every renewal of one login. */
  sid: string;
  /** When the login happened (epoch seconds): renewals stop at auth_time + access_token_max_ttl. */
  auth_time: number;
  iat: number;
  exp: number;
  /** The login method (`universal-auth`, `oidc-auth`, …). */
  auth_method: string;
}

const randomId = () => randomBytes(16).toString('base64url');

export class MachineAccessTokens {
  readonly #jwks: JWTVerifyGetKey;
  readonly #algorithms: string[];
  #signingKey: Promise<CryptoKey | Uint8Array> | undefined;

  constructor(
    private readonly issuer: string,
    private readonly keys: KeySet,
    private readonly revocations: TokenRevocationStore,
    /** Epoch seconds. */
    private readonly now: () => number,
  ) {
    this.#jwks = createLocalJWKSet(publicJwks(keys));
    this.#algorithms = [...new Set(keys.signing.map((key) => key.alg))];
  }

  /** A new login of `identity` through `method`. */
  issueForLogin(identity: IdentityConfig, method: string): Promise<MachineLogin> {
    const now = this.now();
    return this.#issue(identity, { sid: randomId(), auth_time: now, auth_method: method }, now);
  }

  /**
   * Checks a presented token: our signature and `typ`, our issuer, not
   * expired, its login not revoked. Any failure is the uniform 401.
   */
  async verify(token: string): Promise<MachineTokenClaims> {
    let claims: MachineTokenClaims;
    try {
      const { payload } = await jwtVerify(token, this.#jwks, {
        issuer: this.issuer,
        typ: MACHINE_TOKEN_TYPE,
        algorithms: this.#algorithms,
        currentDate: new Date(this.now() * 1000),
        clockTolerance: 0,
        requiredClaims: ['sub', 'jti', 'sid', 'auth_time', 'exp', 'iat', 'auth_method'],
      });
      claims = payload as unknown as MachineTokenClaims;
    } catch {
      throw invalidCredentials();
    }
    if (await this.revocations.isRevoked(claims.sid, this.now())) throw invalidCredentials();
    return claims;
  }

  /**
   * A new token for the same login (Infisical's `/token/renew`), living
   * `access_token_ttl` more but never past `auth_time + access_token_max_ttl`.
   * The identity's current settings apply; an identity removed from the config
   * or no longer bound to the method renews nothing.
   */
  async renew(token: string, identityOf: (id: string) => IdentityConfig | undefined): Promise<MachineLogin> {
    const claims = await this.verify(token);
    const identity = identityOf(claims.sub);
    if (!identity || identity.methods[claims.auth_method] === undefined) throw invalidCredentials();
    const now = this.now();
    if (now >= claims.auth_time + identity.access_token_max_ttl) {
      throw new LoginApiError(401, 'Failed to renew MI access token due to Max TTL expiration');
    }
    return this.#issue(identity, claims, now);
  }

  /** Refuses the token's login, and every renewal of it, from now on (Infisical's `/token/revoke`). */
  async revoke(token: string, identityOf: (id: string) => IdentityConfig | undefined): Promise<void> {
    const claims = await this.verify(token);
    const maxTtl = identityOf(claims.sub)?.access_token_max_ttl ?? 0;
    await this.revocations.revoke(claims.sid, Math.max(claims.exp, claims.auth_time + maxTtl));
  }

  async #issue(identity: IdentityConfig, session: Pick<MachineTokenClaims, 'sid' | 'auth_time' | 'auth_method'>, now: number): Promise<MachineLogin> {
    const exp = Math.min(now + identity.access_token_ttl, session.auth_time + identity.access_token_max_ttl);
    const signing = this.keys.signing[0]!;
    this.#signingKey ??= importJWK(signing as JWK, signing.alg);
    const accessToken = await new SignJWT({ sid: session.sid, auth_time: session.auth_time, auth_method: session.auth_method })
      .setProtectedHeader({ alg: signing.alg, kid: signing.kid, typ: MACHINE_TOKEN_TYPE })
      .setIssuer(this.issuer)
      .setSubject(identity.id)
      .setJti(randomId())
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(await this.#signingKey);
    return { accessToken, expiresIn: exp - now, accessTokenMaxTTL: identity.access_token_max_ttl, tokenType: 'Bearer' };
  }
}
