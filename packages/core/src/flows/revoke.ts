import * as oauth from 'oauth4webapi';
import type { FlowContext } from '../contracts/flow.js';
import type { TokenSet } from '../token-set.js';
import { toAuthError } from './map-error.js';
import { requestOptions } from './request-options.js';

export type RevokeContext = Pick<
  FlowContext,
  'profile' | 'server' | 'client' | 'clientAuth' | 'fetch' | 'signal' | 'timeoutMs' | 'allowInsecureHttp'
>;

/**
 * RFC 7009: revoke the refresh token (which ends the grant on most servers),
 * then the access token. False when the server has no revocation endpoint.
 */
export async function revokeTokens(ctx: RevokeContext, tokens: TokenSet): Promise<boolean> {
  const endpoint = ctx.server.revocation_endpoint;
  if (endpoint === undefined) return false;
  const targets: Array<[string, 'refresh_token' | 'access_token']> = [
    ...(tokens.refresh_token === undefined ? [] : [[tokens.refresh_token, 'refresh_token'] as [string, 'refresh_token']]),
    [tokens.access_token, 'access_token'],
  ];
  for (const [token, hint] of targets) {
    try {
      const response = await oauth.revocationRequest(ctx.server, ctx.client, ctx.clientAuth, token, {
        ...requestOptions(ctx),
        additionalParameters: { token_type_hint: hint },
      });
      await oauth.processRevocationResponse(response);
    } catch (error) {
      throw toAuthError(error, { url: endpoint, timeoutMs: ctx.timeoutMs, profile: ctx.profile });
    }
  }
  return true;
}
