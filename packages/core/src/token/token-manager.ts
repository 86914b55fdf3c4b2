import { AuthError } from '../errors.js';
import type { CredentialStore } from '../contracts/v1/credential-store.js';
import { getFlow } from '../flows/index.js';
import { renewMachineCredential } from '../machine/machine-login.js';
import { storedFlowContext } from '../session/flow-context.js';
import { notLoggedInHint } from '../session/identities.js';
import { obtainCredential } from '../session/obtain-credential.js';
import { nowSeconds } from '../session/session-io.js';
import type { SessionContext } from '../session/types.js';
import { tokenKey, type OAuthCredential, type TokenSet } from '../token-set.js';
import { isExpired, needsRefresh } from './refresh-window.js';

/** Renewals in progress in this process, per store and key: concurrent callers share one. */
const renewals = new WeakMap<CredentialStore, Map<string, Promise<TokenSet>>>();

/**
 * A usable access token for the profile. A fresh cached token costs no
 * network. Inside the refresh window the token is refreshed under the
 * profile's lock, after re-reading the store: when another process already
 * refreshed, its token is used and the rotated refresh token is never
 * redeemed twice. A machine identity's token is renewed at its login API
 * while its max TTL allows, then logged in again. Credentials that need no person (client credentials, a
 * password from a non-interactive source) log in again silently; anything
 * else ends in LOGIN_REQUIRED. A refresh that fails for any reason still
 * returns the cached token while it is valid; an expired token is never
 * returned. A refresh token the IdP refuses is dropped from the store under
 * the lock, so no other process redeems it again.
 */
export async function getToken(ctx: SessionContext, options: RenewOptions = {}): Promise<TokenSet> {
  const key = tokenKey(ctx.profile.name);
  const cached = await readCredential(ctx, key);
  if (!due(cached.tokens, ctx, options)) return cached.tokens;

  let inStore = renewals.get(ctx.store);
  if (inStore === undefined) renewals.set(ctx.store, (inStore = new Map()));
  const pending = inStore.get(key);
  if (pending !== undefined) return pending;
  const renewal = ctx.store.withLock(key, () => renewUnderLock(ctx, key, options)).finally(() => inStore.delete(key));
  inStore.set(key, renewal);
  return renewal;
}

export interface RenewOptions {
  /**
   * Renew this access token even ahead of the refresh window (`authctl
   * agent` refreshes early). When the store holds another one, some process
   * renewed it meanwhile, and that one is used as it is.
   */
  renewAccessToken?: string;
}

function due(tokens: TokenSet, ctx: SessionContext, options: RenewOptions): boolean {
  return needsRefresh(tokens, nowSeconds(ctx)) || tokens.access_token === options.renewAccessToken;
}

async function renewUnderLock(ctx: SessionContext, key: string, options: RenewOptions): Promise<TokenSet> {
  const credential = await readCredential(ctx, key);
  if (!due(credential.tokens, ctx, options)) return credential.tokens;

  let renewed: OAuthCredential;
  try {
    renewed =
      credential.flow === 'exchange'
        ? await renewMachineCredential(ctx, credential)
        : credential.tokens.refresh_token === undefined
          ? await loginAgain(ctx, credential)
          : await refresh(ctx, key, credential);
  } catch (error) {
    // Whatever went wrong (an IdP down, refusing, or answering nonsense), a
    // still-valid token is still usable; only a cancelled command ends here.
    const cancelled = AuthError.is(error) && error.code === 'CANCELLED';
    if (!cancelled && !isExpired(credential.tokens, nowSeconds(ctx))) return credential.tokens;
    throw error;
  }
  await ctx.store.set(key, renewed);
  return renewed.tokens;
}

async function refresh(ctx: SessionContext, key: string, credential: OAuthCredential): Promise<OAuthCredential> {
  try {
    const tokens = await getFlow('refresh').run(await storedFlowContext(ctx, credential));
    return { ...credential, tokens };
  } catch (error) {
    if (!AuthError.is(error) || error.code !== 'INVALID_GRANT') throw error;
    // Recorded while the lock is held: whoever waits on it re-reads a login
    // without a refresh token and fails at once, instead of redeeming the
    // dead one again (each such redemption costs a round trip to the IdP).
    const { refresh_token: _dead, ...tokens } = credential.tokens;
    const refused: OAuthCredential = { ...credential, tokens, refresh_rejected_at: nowSeconds(ctx) };
    await ctx.store.set(key, refused);
    return loginAgain(ctx, refused, error);
  }
}

/** Logs in again with the credential's own flow, when that needs no person; else LOGIN_REQUIRED. */
async function loginAgain(ctx: SessionContext, credential: OAuthCredential, cause?: AuthError): Promise<OAuthCredential> {
  const flow = credential.flow;
  if (flow === 'client-credentials' || (flow === 'password' && ctx.secrets?.password !== undefined)) {
    return obtainCredential(ctx, flow);
  }
  throw await loginRequired(ctx, credential, cause);
}

async function readCredential(ctx: SessionContext, key: string): Promise<OAuthCredential> {
  const credential = await ctx.store.get(key);
  if (credential?.kind === 'basic') throw basicNotToken(ctx.profile.name);
  if (credential?.kind !== 'oauth') throw await loginRequired(ctx);
  return credential;
}

/** Basic credentials are sent as they are on every request; there is no access token to hand out. */
function basicNotToken(profile: string): AuthError {
  return new AuthError('USAGE', `profile ${profile} holds a username and password (HTTP Basic), not an access token`, {
    profile,
    hint: `run \`authctl print-token --header --profile ${profile}\` for the Authorization line, or \`authctl exec --profile ${profile} -- CMD\``,
  });
}

async function loginRequired(ctx: SessionContext, credential?: OAuthCredential, cause?: AuthError): Promise<AuthError> {
  const name = ctx.profile.name;
  const why =
    credential?.refresh_rejected_at === undefined ? 'is not logged in' : 'must log in again: the IdP no longer accepts its refresh token';
  return new AuthError('LOGIN_REQUIRED', `Profile ${name} ${why}`, {
    profile: name,
    hint: await notLoggedInHint(ctx.store, name),
    ...(cause === undefined ? {} : { cause }),
  });
}
