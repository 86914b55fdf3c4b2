import * as oauth from 'oauth4webapi';
import { AuthError } from '../errors.js';
import type { Flow, FlowContext } from '../contracts/flow.js';
import { createAuthorizationRequest, presentAuthorizationUrl, redeemAuthorizationCode, type AuthorizationRequest } from './authorization-code.js';
import { toAuthError } from './map-error.js';

export const DEFAULT_CODE_REDIRECT_URI = 'http://127.0.0.1/callback';
export const CODE_PROMPT = 'Enter the authorization code (or the whole redirected URL)';

/**
 * Paste-the-code login (kxi `--force-code`) for sessions where no loopback
 * callback can reach this process: the person finishes in any browser and
 * pastes the code, or the whole URL the browser was sent to.
 */
export const codeFlow: Flow = {
  specificationVersion: 'v1',
  id: 'code',
  interactive: true,
  async run(ctx) {
    const request = await createAuthorizationRequest(ctx, ctx.options.codeRedirectUri ?? DEFAULT_CODE_REDIRECT_URI);
    await presentAuthorizationUrl(ctx, request.url);
    const pasted = (await ctx.interaction.prompt(CODE_PROMPT)).trim();
    let parameters: URLSearchParams;
    try {
      parameters = callbackParameters(ctx, request, pasted);
    } catch (error) {
      throw toAuthError(error, { url: String(ctx.server.authorization_endpoint), timeoutMs: ctx.timeoutMs, profile: ctx.profile });
    }
    return redeemAuthorizationCode(ctx, request, parameters);
  },
};

function callbackParameters(ctx: FlowContext, request: AuthorizationRequest, pasted: string): URLSearchParams {
  if (pasted === '') {
    throw new AuthError('USAGE', 'No authorization code was entered', {
      profile: ctx.profile,
      hint: `run \`authctl login --profile ${ctx.profile} --flow code\` again and paste the code`,
    });
  }
  const url = /^https?:\/\//i.test(pasted) && URL.canParse(pasted) ? new URL(pasted) : undefined;
  if (url?.searchParams.has('state')) {
    try {
      return oauth.validateAuthResponse(ctx.server, ctx.client, url, request.state);
    } catch (error) {
      if (error instanceof oauth.AuthorizationResponseError) throw error;
      throw new AuthError('INVALID_GRANT', 'The pasted URL does not belong to this login (its state does not match)', {
        profile: ctx.profile,
        hint: 'paste the URL from the browser window of this login attempt',
        cause: error,
      });
    }
  }
  const code = url?.searchParams.get('code') ?? (url === undefined ? pasted : null);
  if (!code) {
    throw new AuthError('USAGE', 'The pasted URL carries no authorization code', {
      profile: ctx.profile,
      hint: 'paste the code, or the whole URL the browser was redirected to',
    });
  }
  // A bare code carries neither state nor iss: the person vouches for it by pasting it.
  return oauth.validateAuthResponse(
    { ...ctx.server, authorization_response_iss_parameter_supported: false },
    ctx.client,
    new URLSearchParams({ code }),
    oauth.skipStateCheck,
  );
}
