import * as oauth from 'oauth4webapi';
import { AuthError } from '../errors.js';
import type { Flow } from '../contracts/v1/flow.js';
import { tokenGrant } from './token-grant.js';

/** RFC 6749 §6: trade the refresh token for a new token set. */
export const refreshFlow: Flow = {
  specificationVersion: 'v1',
  id: 'refresh',
  interactive: false,
  async run(ctx) {
    const refreshToken = ctx.refreshToken;
    if (refreshToken === undefined) {
      throw new AuthError('LOGIN_REQUIRED', `Profile ${ctx.profile} has no refresh token`, {
        profile: ctx.profile,
        hint: `run \`authctl login --profile ${ctx.profile}\``,
      });
    }
    const tokens = await tokenGrant(
      ctx,
      (options) =>
        oauth.refreshTokenGrantRequest(ctx.server, ctx.client, ctx.clientAuth, refreshToken, {
          ...options,
          additionalParameters: ctx.parameters,
        }),
      (response) => oauth.processRefreshTokenResponse(ctx.server, ctx.client, response),
    );
    // Servers that do not rotate send no new refresh token: the old one stays valid.
    return { ...tokens, refresh_token: tokens.refresh_token ?? refreshToken };
  },
};
