import { AsyncLocalStorage } from 'node:async_hooks';
import { decodeJwt, jwtVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';

/**
 * RFC 9068 JWT access tokens that the issuer can still look up, so that
 * userinfo (OpenID Connect Core §5.3), introspection (RFC 7662) and
 * revocation (RFC 7009) work on them. oidc-provider keeps no record of a
 * JWT access token ("structured tokens are for resource servers"); here
 * each one is also stored under its `jti`, like an opaque token, and a
 * presented JWT is found by checking its signature and then its record.
 *
 * The record is reachable only through the JWT: a bare `jti` (which resource
 * servers may log) is refused. A revoked token's record is gone, so it
 * introspects as inactive at once, though it still verifies offline until it
 * expires. oidc-provider's userinfo refuses every token that has an
 * audience; a token whose grant includes `openid` is accepted there, since the
 * person consented to the issuer reading their claims with it.
 */

const JWT_RECORD = 'jwt-record';

interface TokenInstance {
  aud?: unknown;
}
interface TokenModel {
  IN_PAYLOAD: string[];
  find(this: TokenModel, value: unknown, options?: object): Promise<TokenInstance | undefined>;
  verify(this: TokenModel, stored: Record<string, unknown>, options?: object): Promise<unknown>;
  prototype: { getValueAndPayload(this: Record<string, unknown>): Promise<{ value: string; payload?: Record<string, unknown> }> };
}

export interface FindableJwtOptions {
  issuer: string;
  /** The issuer's public signing keys (its JWKS). */
  jwks: JSONWebKeySet;
}

export function useFindableJwtAccessTokens(provider: Provider, { issuer, jwks }: FindableJwtOptions): void {
  const keys = createLocalJWKSet(jwks);
  /** The jti of the JWT this lookup was given, once its signature checked out. */
  const presented = new AsyncLocalStorage<string>();
  const request = new AsyncLocalStorage<Context>();

  async function verifiedJti(value: unknown): Promise<string | undefined> {
    if (typeof value !== 'string' || value.split('.').length !== 3) return undefined;
    try {
      const { payload } = await jwtVerify(value, keys, { issuer, typ: 'at+jwt' });
      return typeof payload.jti === 'string' ? payload.jti : undefined;
    } catch {
      return undefined;
    }
  }

  const inUserinfo = () => (request.getStore() as { oidc?: { route?: string } } | undefined)?.oidc?.route === 'userinfo';

  for (const Model of [provider.AccessToken, provider.ClientCredentials] as unknown as TokenModel[]) {
    const { find, verify } = Model;
    const { getValueAndPayload } = Model.prototype;

    Model.prototype.getValueAndPayload = async function storeJwtRecord() {
      const issued = await getValueAndPayload.call(this);
      if (issued.payload) return issued;
      const { iat, exp } = decodeJwt(issued.value);
      const fields = Model.IN_PAYLOAD.filter((key) => this[key] !== undefined).map((key) => [key, this[key]]);
      return { value: issued.value, payload: { ...Object.fromEntries(fields), iat, exp, format: JWT_RECORD } };
    };

    Model.verify = async function verifyRecord(stored, options) {
      if (stored.format !== JWT_RECORD) return verify.call(this, stored, options);
      if (presented.getStore() !== stored.jti) throw new TypeError('a JWT access token is found by the JWT, not by its jti');
      const { format: _format, ...payload } = stored;
      return verify.call(this, payload, options);
    };

    Model.find = async function findByJwt(value, options) {
      const jti = await verifiedJti(value);
      if (!jti) return find.call(this, value, options);
      const token = await presented.run(jti, () => find.call(this, jti, options));
      if (token && inUserinfo()) token.aud = undefined;
      return token;
    };
  }

  provider.use((ctx: Context, next: Next) => request.run(ctx, next));
}
