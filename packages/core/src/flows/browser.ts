import * as oauth from 'oauth4webapi';
import { AuthError } from '../errors.js';
import type { Flow, FlowContext } from '../contracts/v1/flow.js';
import type { TokenSet } from '../token-set.js';
import { createAuthorizationRequest, presentAuthorizationUrl, redeemAuthorizationCode } from './authorization-code.js';
import { loginCompletePage, loginFailedPage } from './callback-page.js';
import { listenOnLoopback, type Callback } from './loopback-listener.js';
import { flowFailureSite, toAuthError } from './map-error.js';
import { cancelled } from './wait.js';

export const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * Authorization code + PKCE through the system browser, redirected back to a
 * one-shot loopback listener (RFC 8252). The person sees the URL before any
 * browser is tried, so a headless session can still copy it.
 */
export const browserFlow: Flow = {
  specificationVersion: 'v1',
  id: 'browser',
  interactive: true,
  async run(ctx) {
    const listener = await listenOnLoopback(ctx.options.port ?? 0);
    try {
      const request = await createAuthorizationRequest(ctx, listener.redirectUri);
      const callback = listener.callback((url) => {
        try {
          oauth.validateAuthResponse(ctx.server, ctx.client, url, request.state);
        } catch (error) {
          // An error answer with the right state is a genuine outcome; anything else is not ours.
          if (!(error instanceof oauth.AuthorizationResponseError)) {
            return { reject: 'It does not belong to the login in progress. Return to the terminal and try again.' };
          }
        }
        return 'accept';
      });
      await presentAuthorizationUrl(ctx, request.url);
      const received = await waitFor(ctx, callback);
      return await finish(ctx, received, () => {
        const parameters = oauth.validateAuthResponse(ctx.server, ctx.client, received.url, request.state);
        return redeemAuthorizationCode(ctx, request, parameters);
      });
    } finally {
      listener.close();
    }
  },
};

/**
 * Answers the held callback with the outcome, so the browser page tells the
 * truth: "Login complete" only once the login is redeemed and `complete`
 * (storing it, asking whether to replace a stored one) has succeeded.
 */
async function finish(ctx: FlowContext, callback: Callback, redeem: () => Promise<TokenSet>): Promise<TokenSet> {
  try {
    const tokens = await redeem();
    await ctx.complete?.(tokens);
    callback.respond(200, loginCompletePage(ctx.profile));
    return tokens;
  } catch (error) {
    const failure = toAuthError(error, flowFailureSite(ctx, String(ctx.server.authorization_endpoint)));
    callback.respond(failure.code === 'ACCESS_DENIED' ? 403 : 500, loginFailedPage(ctx.profile, failure.message));
    throw failure;
  }
}

function waitFor(ctx: FlowContext, callback: Promise<Callback>): Promise<Callback> {
  const limitMs = ctx.options.loginTimeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
  return new Promise<Callback>((resolve, reject) => {
    if (ctx.signal.aborted) return reject(cancelled(ctx.signal));
    // A plain timer, not AbortSignal.timeout: see request-options.ts.
    const timer = setTimeout(() => {
      ctx.signal.removeEventListener('abort', onAbort);
      reject(
        new AuthError('TIMEOUT', `No login completed within ${limitMs / 1000} s`, {
          profile: ctx.profile,
          hint: `run \`authctl login --profile ${ctx.profile}\` again, or use --flow device on a machine without a browser`,
        }),
      );
    }, limitMs);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled(ctx.signal));
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    callback.then((value) => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      resolve(value);
    }, reject);
  });
}
