import { AuthError } from '../errors.js';
import type { LoginFlowId } from '../config/types.js';
import type { LoginOptions } from '../contracts/v1/flow.js';
import { isExpired } from '../token/refresh-window.js';
import type { OAuthCredential } from '../token-set.js';
import { saveAsActive, storedIdentity } from './identities.js';
import { identityOf } from './identity-name.js';
import { obtainMachineCredential } from '../machine/machine-login.js';
import { obtainCredential } from './obtain-credential.js';
import { oauthDefaults } from './oauth-provider.js';
import { nowSeconds } from './session-io.js';
import type { SessionContext } from './types.js';

export interface LoginRequest {
  flow?: LoginFlowId;
  options?: LoginOptions;
  /**
   * Asked when the login of a person would replace a stored login of the
   * same identity that still works (not expired, or refreshable); false
   * keeps the stored one and ends the login with CANCELLED. Without it the
   * login replaces. A service account is never asked: nobody is there to
   * answer, and a job that logs in on every run must not fail.
   */
  confirmReplace?: (identity: string) => Promise<boolean>;
}

/**
 * Logs the profile in and stores the credential as its active identity
 * (under the profile's lock, written atomically by the store): another
 * identity that was active stays stored, an earlier login of the same
 * identity is replaced (see identities.ts). The flow is the one asked for,
 * else the profile's, else the provider's default, else `browser`. Any
 * question is asked, and the login stored, before the browser's callback
 * page says the login is complete. A profile with a `method` logs its
 * machine identity in instead (the `exchange` flow; nobody is asked).
 */
export async function login(ctx: SessionContext, request: LoginRequest = {}): Promise<OAuthCredential> {
  const profile = ctx.profile.name;
  const method = ctx.profile.settings.method;
  if (method !== undefined) {
    if (request.flow !== undefined) {
      throw new AuthError('USAGE', `profile ${profile} logs a machine identity in (method ${method}); --flow ${request.flow} does not apply`, {
        profile,
        hint: 'leave out --flow, or use a profile of a person or service account',
      });
    }
    const obtained = await obtainMachineCredential(ctx);
    const named: OAuthCredential = { ...obtained, identity: identityOf(obtained) };
    await saveAsActive(ctx.store, profile, named);
    return announced(ctx, named);
  }
  const flow = request.flow ?? ctx.profile.settings.flow ?? oauthDefaults(ctx).flow ?? 'browser';
  const credential = await obtainCredential(ctx, flow, request.options, async (obtained) => {
    // Who logged in is known only now: a browser or device login may be anyone.
    const identity = identityOf(obtained);
    const named: OAuthCredential = { ...obtained, identity };
    if (request.confirmReplace !== undefined && flow !== 'client-credentials') {
      const stored = await storedIdentity(ctx.store, profile, identity);
      const works = stored !== undefined && (!isExpired(stored.tokens, nowSeconds(ctx)) || stored.tokens.refresh_token !== undefined);
      if (works && !(await request.confirmReplace(identity))) {
        throw new AuthError('CANCELLED', `kept the stored login of ${identity} in profile ${profile}`, { profile });
      }
    }
    await saveAsActive(ctx.store, profile, named);
    return named;
  });
  return announced(ctx, credential);
}

function announced(ctx: SessionContext, credential: OAuthCredential): OAuthCredential {
  ctx.interaction.emit({ event: 'logged_in', profile: ctx.profile.name, expires_at: credential.tokens.expires_at });
  return credential;
}
