import { AuthError } from '../errors.js';
import type { LoginFlowId } from '../config/types.js';
import type { FlowContext, LoginOptions } from '../contracts/v1/flow.js';
import type { ProfileLocation } from '../contracts/v1/provider.js';
import type { FlowId, OAuthCredential } from '../token-set.js';
import { wait } from '../flows/wait.js';
import { clientAuthFor, clientIdFor } from './client.js';
import { oauthCapability, oauthDefaults } from './oauth-provider.js';
import { resolveServer, storedServer, type CheckedServer } from './resolve-server.js';
import { nowSeconds } from './session-io.js';
import type { SessionContext } from './types.js';

/** Everything a login flow needs, from the profile, its provider and the secret sources. */
export async function loginFlowContext(ctx: SessionContext, flow: LoginFlowId, options: LoginOptions = {}): Promise<FlowContext> {
  const clientId = clientIdFor(ctx, flow);
  const checked = await resolveServer(ctx);
  const settings = ctx.profile.settings;
  const port = options.port ?? settings.redirect_port;
  const codeRedirectUri = options.codeRedirectUri ?? settings.code_redirect_uri;
  return {
    ...(await baseContext(ctx, checked, flow, clientId)),
    scopes: settings.scopes ?? oauthDefaults(ctx, flow).scopes ?? ['openid'],
    parameters: { ...oauthCapability(ctx).parameters?.(flow, settings, where(ctx)), ...settings.parameters },
    options: {
      ...options,
      ...(port === undefined ? {} : { port }),
      ...(codeRedirectUri === undefined ? {} : { codeRedirectUri }),
    },
  };
}

/** The context to refresh or revoke a stored credential: its own client and server, no discovery. */
export async function storedFlowContext(ctx: SessionContext, credential: OAuthCredential): Promise<FlowContext> {
  // Callers send machine-identity logins to machine/ before they get here.
  if (credential.flow === 'exchange') throw new AuthError('INTERNAL', `profile ${ctx.profile.name} holds a machine-identity login, not an OAuth one`);
  const checked = storedServer(ctx, credential.server);
  const settings = ctx.profile.settings;
  return {
    ...(await baseContext(ctx, checked, credential.flow, credential.client_id)),
    scopes: [],
    parameters: { ...ctx.provider.oauth?.parameters?.('refresh', settings, where(ctx)), ...settings.parameters },
    options: {},
    ...(credential.tokens.refresh_token === undefined ? {} : { refreshToken: credential.tokens.refresh_token }),
  };
}

function where(ctx: SessionContext): ProfileLocation {
  return { profile: ctx.profile.name, file: ctx.profile.file };
}

async function baseContext(
  ctx: SessionContext,
  { server, io }: CheckedServer,
  flow: FlowId,
  clientId: string,
): Promise<Omit<FlowContext, 'scopes' | 'parameters' | 'options'>> {
  const profile = ctx.profile.name;
  const errorAliases = ctx.provider.oauth?.errorAliases;
  return {
    profile,
    server,
    ...(errorAliases === undefined ? {} : { errorAliases }),
    client: { client_id: clientId },
    clientAuth: await clientAuthFor(ctx, flow, clientId, server),
    interaction: ctx.interaction,
    ...io,
    now: () => nowSeconds(ctx),
    sleep: ctx.sleep ?? wait,
    async readPassword() {
      const credentials = await ctx.secrets?.password?.();
      if (credentials === undefined) {
        throw new AuthError('LOGIN_REQUIRED', `No password given for the password login of profile ${profile}`, {
          profile,
          hint: 'set AUTHCTL_PASSWORD or pass --password-stdin',
        });
      }
      return credentials;
    },
  };
}
