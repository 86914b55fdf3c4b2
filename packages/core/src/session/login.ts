import type { LoginFlowId } from '../config/types.js';
import type { LoginOptions } from '../contracts/flow.js';
import { tokenKey, type OAuthCredential } from '../token-set.js';
import { obtainCredential } from './obtain-credential.js';
import { oauthDefaults } from './oauth-provider.js';
import type { SessionContext } from './types.js';

export interface LoginRequest {
  flow?: LoginFlowId;
  options?: LoginOptions;
}

/**
 * Logs the profile in and stores the credential (under the profile's lock,
 * written atomically by the store). The flow is the one asked for, else the
 * profile's, else the provider's default, else `browser`.
 */
export async function login(ctx: SessionContext, request: LoginRequest = {}): Promise<OAuthCredential> {
  const flow = request.flow ?? ctx.profile.settings.flow ?? oauthDefaults(ctx).flow ?? 'browser';
  const credential = await obtainCredential(ctx, flow, request.options);
  const key = tokenKey(ctx.profile.name);
  await ctx.store.withLock(key, () => ctx.store.set(key, credential));
  ctx.interaction.emit({ event: 'logged_in', profile: ctx.profile.name, expires_at: credential.tokens.expires_at });
  return credential;
}
