import * as oauth from 'oauth4webapi';
import { AuthError } from '../errors.js';
import type { Flow } from '../contracts/v1/flow.js';
import { scopeParameters } from './scope-parameters.js';
import { tokenGrant } from './token-grant.js';

/**
 * RFC 6749 §4.3, the resource owner password grant (kms `--email/--password`).
 * The password comes from `ctx.readPassword()` (env, stdin or a hidden
 * prompt), never from argv.
 */
export const passwordFlow: Flow = {
  specificationVersion: 'v1',
  id: 'password',
  interactive: false,
  async run(ctx) {
    const { username, password } = await ctx.readPassword();
    try {
      return await tokenGrant(
        ctx,
        (options) =>
          oauth.genericTokenEndpointRequest(
            ctx.server,
            ctx.client,
            ctx.clientAuth,
            'password',
            { ...scopeParameters(ctx), username, password },
            options,
          ),
        (response) => oauth.processGenericTokenEndpointResponse(ctx.server, ctx.client, response),
      );
    } catch (error) {
      // For this grant, invalid_grant means the username or password is wrong.
      if (AuthError.is(error) && error.code === 'INVALID_GRANT') {
        throw new AuthError('INVALID_CREDENTIALS', `Wrong username or password for ${username} at ${error.details.url}`, {
          ...error.details,
          hint: 'check the username and AUTHCTL_PASSWORD (or the password you typed)',
          cause: error,
        });
      }
      throw error;
    }
  },
};
