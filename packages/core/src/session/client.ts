import * as oauth from 'oauth4webapi';
import { AuthError } from '../errors.js';
import type { LoginFlowId } from '../config/types.js';
import { clientSecretKey, type FlowId } from '../token-set.js';
import { oauthDefaults } from './oauth-provider.js';
import type { SessionContext } from './types.js';

export const CLIENT_SECRET_HINT = 'set AUTHCTL_CLIENT_SECRET, pass --client-secret-stdin, or run authctl configure';

/** The client a flow logs in as: the service account for client credentials, else the profile's client. */
export function clientIdFor(ctx: SessionContext, flow: LoginFlowId): string {
  const { name, settings, file } = ctx.profile;
  const serviceAccount = settings.service_account?.client_id;
  if (flow === 'client-credentials' && serviceAccount !== undefined) return serviceAccount;
  const clientId = settings.client_id ?? oauthDefaults(ctx).client_id;
  if (clientId === undefined) {
    throw new AuthError('CONFIG_INVALID', `${file}: profiles.${name}.client_id is required`, {
      file,
      profile: name,
      key: `profiles.${name}.client_id`,
      hint: `add client_id = "..." to [profiles.${name}] in ${file}`,
    });
  }
  return clientId;
}

/**
 * How the client authenticates at the token endpoint. The profile's secret
 * (env, stdin or the store) belongs to its service account, or to its one
 * client when it has no service account; any other client is public.
 * Client credentials cannot work without it.
 */
export async function clientAuthFor(
  ctx: SessionContext,
  flow: FlowId,
  clientId: string,
  server: oauth.AuthorizationServer,
): Promise<oauth.ClientAuth> {
  const settings = ctx.profile.settings;
  const provided = await ctx.provider.oauth?.clientAuth?.({ flow, clientId, settings, profile: ctx.profile.name, file: ctx.profile.file });
  if (provided !== undefined) return provided;
  const owner = settings.service_account?.client_id ?? settings.client_id ?? oauthDefaults(ctx).client_id;
  const secret = clientId === owner ? await findClientSecret(ctx) : undefined;
  if (secret === undefined) {
    if (flow === 'client-credentials') {
      throw new AuthError('LOGIN_REQUIRED', `No client secret for ${clientId} (profile ${ctx.profile.name})`, {
        profile: ctx.profile.name,
        hint: CLIENT_SECRET_HINT,
      });
    }
    return oauth.None();
  }
  return prefersClientSecretPost(server) ? oauth.ClientSecretPost(secret) : oauth.ClientSecretBasic(secret);
}

/** RFC 6749 §2.3.1: basic is the default; post only for a server that does not take basic. */
export function prefersClientSecretPost(server: oauth.AuthorizationServer): boolean {
  const methods = server.token_endpoint_auth_methods_supported;
  return methods !== undefined && !methods.includes('client_secret_basic') && methods.includes('client_secret_post');
}

/** The client secret from its sources (env, stdin), else the store. */
export async function findClientSecret(ctx: SessionContext): Promise<string | undefined> {
  const given = await ctx.secrets?.clientSecret?.();
  if (given !== undefined && given !== '') return given;
  const stored = await ctx.store.get(clientSecretKey(ctx.profile.name));
  return stored?.kind === 'secret' ? stored.value : undefined;
}
