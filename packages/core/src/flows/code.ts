import * as oauth from 'oauth4webapi';
import { AuthError } from '../errors.js';
import type { Flow, FlowContext } from '../contracts/v1/flow.js';
import { createAuthorizationRequest, presentAuthorizationUrl, redeemAuthorizationCode, type AuthorizationRequest } from './authorization-code.js';
import { flowFailureSite, toAuthError } from './map-error.js';

export const DEFAULT_CODE_REDIRECT_URI = 'http://127.0.0.1/callback';
export const CODE_PROMPT = 'Enter the authorization code (or the whole redirected URL)';

/**
 * How long an authorization code usually lives. RFC 6749 §4.1.2 only caps it
 * (10 minutes); no metadata publishes it, and common IdPs default to 60 s.
 */
export const USUAL_CODE_LIFETIME_SECONDS = 60;

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
      throw toAuthError(error, flowFailureSite(ctx, String(ctx.server.authorization_endpoint)));
    }
    try {
      return await redeemAuthorizationCode(ctx, request, parameters);
    } catch (error) {
      // For a pasted code, invalid_grant means the person pasted a wrong, used or stale code: their input, not the login, is at fault.
      if (AuthError.is(error) && error.code === 'INVALID_GRANT') throw rejectedCode(ctx, error);
      throw error;
    }
  },
};

function rejectedCode(ctx: FlowContext, error: AuthError): AuthError {
  return new AuthError(
    'INVALID_CREDENTIALS',
    `The pasted code was not accepted: it is wrong, already used or expired; a code is usually valid for ${USUAL_CODE_LIFETIME_SECONDS} seconds`,
    { ...error.details, profile: ctx.profile, hint: `${againHint(ctx)}, and paste the new code at once`, cause: error },
  );
}

function againHint(ctx: FlowContext): string {
  return `run \`authctl login --profile ${ctx.profile} --flow code\` again`;
}

function callbackParameters(ctx: FlowContext, request: AuthorizationRequest, pasted: string): URLSearchParams {
  if (pasted === '') {
    throw new AuthError('USAGE', 'No authorization code was entered', {
      profile: ctx.profile,
      hint: `${againHint(ctx)} and paste the code`,
    });
  }
  const url = /^https?:\/\//i.test(pasted) && URL.canParse(pasted) ? new URL(pasted) : undefined;
  if (url?.searchParams.has('state')) {
    try {
      return oauth.validateAuthResponse(ctx.server, ctx.client, url, request.state);
    } catch (error) {
      if (error instanceof oauth.AuthorizationResponseError) throw error;
      throw new AuthError('INVALID_CREDENTIALS', 'The pasted URL does not belong to this login (its state does not match)', {
        profile: ctx.profile,
        hint: `paste the URL from the browser window of this login attempt, or ${againHint(ctx)}`,
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
