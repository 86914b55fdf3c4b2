import * as oauth from 'oauth4webapi';
import { AuthError } from '../errors.js';
import type { FlowContext } from '../contracts/v1/flow.js';
import type { TokenSet } from '../token-set.js';
import { issuerIsKnown } from './authorization-server.js';
import { scopeParameters } from './scope-parameters.js';
import { tokenGrant } from './token-grant.js';

/** One authorization code login in progress: what the callback is checked against. */
export interface AuthorizationRequest {
  url: string;
  redirectUri: string;
  state: string;
  codeVerifier: string;
  /** Only when an ID token is asked for and can be checked. */
  nonce?: string;
}

/** RFC 6749 §4.1.1 with PKCE S256 (RFC 7636), `state`, and a `nonce` for OpenID Connect. */
export async function createAuthorizationRequest(ctx: FlowContext, redirectUri: string): Promise<AuthorizationRequest> {
  const endpoint = ctx.server.authorization_endpoint;
  if (endpoint === undefined) {
    throw new AuthError('CONFIG_INVALID', `The authorization server of profile ${ctx.profile} has no authorization endpoint`, {
      profile: ctx.profile,
      key: `profiles.${ctx.profile}.authorization_url`,
      hint: 'set authorization_url in the profile, or use --flow device',
    });
  }
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = ctx.scopes.includes('openid') && issuerIsKnown(ctx.server) ? oauth.generateRandomNonce() : undefined;
  const url = new URL(endpoint);
  url.search = new URLSearchParams({
    ...Object.fromEntries(url.searchParams),
    ...scopeParameters(ctx),
    client_id: ctx.client.client_id,
    redirect_uri: redirectUri,
    response_type: 'code',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...(nonce === undefined ? {} : { nonce }),
  }).toString();
  return { url: url.href, redirectUri, state, codeVerifier, ...(nonce === undefined ? {} : { nonce }) };
}

/** Shows the authorization URL first, then tries a browser: the URL is never lost if opening fails. */
export async function presentAuthorizationUrl(ctx: FlowContext, url: string): Promise<void> {
  ctx.interaction.print(`To log in, open this URL in a browser:\n  ${url}`);
  ctx.interaction.emit({ event: 'open_url', url });
  if (ctx.options.noBrowser) return;
  if (!(await ctx.interaction.openUrl(url))) ctx.interaction.print('Could not open a browser: open the URL above yourself.');
}

/** RFC 6749 §4.1.3: exchange the code, proving possession of the PKCE verifier. */
export function redeemAuthorizationCode(
  ctx: FlowContext,
  request: AuthorizationRequest,
  callbackParameters: URLSearchParams,
): Promise<TokenSet> {
  return tokenGrant(
    ctx,
    (options) =>
      oauth.authorizationCodeGrantRequest(
        ctx.server,
        ctx.client,
        ctx.clientAuth,
        callbackParameters,
        request.redirectUri,
        request.codeVerifier,
        { ...options, additionalParameters: ctx.parameters },
      ),
    (response) =>
      oauth.processAuthorizationCodeResponse(
        ctx.server,
        ctx.client,
        response,
        request.nonce === undefined ? undefined : { expectedNonce: request.nonce },
      ),
  );
}
