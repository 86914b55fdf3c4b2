import * as oauth from 'oauth4webapi';
import type { FlowContext } from '../contracts/v1/flow.js';
import type { TokenSet } from '../token-set.js';
import { toAuthError } from './map-error.js';
import { requestOptions } from './request-options.js';

export type RevokeContext = Pick<
  FlowContext,
  'profile' | 'server' | 'client' | 'clientAuth' | 'fetch' | 'signal' | 'timeoutMs' | 'allowInsecureHttp'
>;

/** The RFC 7009 §2.1 `token_type_hint` values: which token a revocation was about. */
export type RevocableToken = 'refresh_token' | 'access_token';

/** What the IdP did with each token it was sent. */
export interface Revocation {
  /** Confirmed revoked (RFC 7009 §2.2: HTTP 200). */
  revoked: RevocableToken[];
  /** Answered `unsupported_token_type` (RFC 7009 §2.2.1): this IdP cannot revoke that kind, so it stays valid until it expires. */
  unrevocable: RevocableToken[];
}

/**
 * RFC 7009: revoke the refresh token (which ends the grant on most servers),
 * then the access token. Undefined when the server has no revocation
 * endpoint. `unsupported_token_type` is an answer, not a failure (RFC 7009 §2.2.1):
 * servers that issue self-contained JWT access tokens give it for those.
 */
export async function revokeTokens(ctx: RevokeContext, tokens: TokenSet): Promise<Revocation | undefined> {
  const endpoint = ctx.server.revocation_endpoint;
  if (endpoint === undefined) return undefined;
  const targets: Array<[string, RevocableToken]> = [
    ...(tokens.refresh_token === undefined ? [] : [[tokens.refresh_token, 'refresh_token'] as [string, RevocableToken]]),
    [tokens.access_token, 'access_token'],
  ];
  const revocation: Revocation = { revoked: [], unrevocable: [] };
  for (const [token, hint] of targets) {
    try {
      const response = await oauth.revocationRequest(ctx.server, ctx.client, ctx.clientAuth, token, {
        ...requestOptions(ctx),
        additionalParameters: { token_type_hint: hint },
      });
      await oauth.processRevocationResponse(response);
      revocation.revoked.push(hint);
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError && error.error === 'unsupported_token_type') {
        revocation.unrevocable.push(hint);
        continue;
      }
      throw toAuthError(error, { url: endpoint, timeoutMs: ctx.timeoutMs, profile: ctx.profile });
    }
  }
  return revocation;
}
