import * as oauth from 'oauth4webapi';
import { AuthError } from '../errors.js';
import type { Flow, FlowContext } from '../contracts/v1/flow.js';
import type { TokenSet } from '../token-set.js';
import { flowFailureSite, rfcOAuthError, toAuthError } from './map-error.js';
import { requestOptions } from './request-options.js';
import { scopeParameters } from './scope-parameters.js';
import { tokenGrant } from './token-grant.js';
import { wait } from './wait.js';

/** RFC 8628 §3.2: the polling interval when the server names none. */
export const DEFAULT_DEVICE_INTERVAL_SECONDS = 5;
/** RFC 8628 §3.5: what `slow_down` adds to the interval. */
export const SLOW_DOWN_SECONDS = 5;
const BACKSTOP_SECONDS = 30;

/**
 * RFC 8628 device authorization grant (influxctl): show a code, let the
 * person approve it on any device, poll the token endpoint meanwhile.
 */
export const deviceFlow: Flow = {
  specificationVersion: 'v1',
  id: 'device',
  interactive: true,
  async run(ctx) {
    const authorization = await requestDeviceAuthorization(ctx);
    const interval = authorization.interval ?? DEFAULT_DEVICE_INTERVAL_SECONDS;
    ctx.interaction.emit({
      event: 'device_code',
      verification_uri: authorization.verification_uri,
      ...(authorization.verification_uri_complete === undefined
        ? {}
        : { verification_uri_complete: authorization.verification_uri_complete }),
      user_code: authorization.user_code,
      expires_in: authorization.expires_in,
      interval,
    });
    ctx.interaction.print(`To log in, open ${authorization.verification_uri} and enter the code ${authorization.user_code}`);
    const complete = authorization.verification_uri_complete;
    if (complete !== undefined && !ctx.options.noBrowser) await ctx.interaction.openUrl(complete);
    return poll(ctx, authorization, interval);
  },
};

async function requestDeviceAuthorization(ctx: FlowContext): Promise<oauth.DeviceAuthorizationResponse> {
  const url = String(ctx.server.device_authorization_endpoint ?? '');
  if (url === '') {
    throw new AuthError('CONFIG_INVALID', `The authorization server of profile ${ctx.profile} has no device authorization endpoint`, {
      profile: ctx.profile,
      key: `profiles.${ctx.profile}.device_url`,
      hint: 'set device_url in the profile, or use another flow (--flow browser)',
    });
  }
  try {
    const response = await oauth.deviceAuthorizationRequest(
      ctx.server,
      ctx.client,
      ctx.clientAuth,
      scopeParameters(ctx),
      requestOptions(ctx),
    );
    return await oauth.processDeviceAuthorizationResponse(ctx.server, ctx.client, response);
  } catch (error) {
    throw toAuthError(error, flowFailureSite(ctx, url));
  }
}

async function poll(
  ctx: FlowContext,
  authorization: oauth.DeviceAuthorizationResponse,
  initialInterval: number,
): Promise<TokenSet> {
  // The server says when the code expired (expired_token); this backstop,
  // a little later, only stops a server that never does.
  const now = ctx.now ?? (() => Math.floor(Date.now() / 1000));
  const sleep = ctx.sleep ?? wait;
  const giveUpAt = now() + authorization.expires_in + BACKSTOP_SECONDS;
  let interval = initialInterval;
  for (;;) {
    await sleep(interval * 1000, ctx.signal);
    if (now() >= giveUpAt) throw expired(ctx);
    ctx.interaction.progress(`Waiting for approval of code ${authorization.user_code}…`);
    try {
      return await tokenGrant(
        ctx,
        (options) => oauth.deviceCodeGrantRequest(ctx.server, ctx.client, ctx.clientAuth, authorization.device_code, options),
        (response) => oauth.processDeviceCodeResponse(ctx.server, ctx.client, response),
      );
    } catch (error) {
      const oauthError = AuthError.is(error) ? error.details.oauthError : undefined;
      switch (oauthError === undefined ? undefined : rfcOAuthError(oauthError, ctx.errorAliases)) {
        case 'authorization_pending':
          continue;
        case 'slow_down':
          interval += SLOW_DOWN_SECONDS;
          continue;
        case 'expired_token':
          throw expired(ctx, error as AuthError);
        case 'access_denied':
          throw new AuthError('ACCESS_DENIED', `The login with code ${authorization.user_code} was denied`, {
            ...(error as AuthError).details,
            hint: `run \`authctl login --profile ${ctx.profile}\` to try again`,
            cause: error,
          });
        default:
          throw error;
      }
    }
  }
}

function expired(ctx: FlowContext, cause?: AuthError): AuthError {
  return new AuthError('EXPIRED_TOKEN', 'The device code expired before the login was approved', {
    ...cause?.details,
    profile: ctx.profile,
    oauthError: 'expired_token',
    hint: `run \`authctl login --profile ${ctx.profile}\` again and approve the code in time`,
    cause,
  });
}
