import { AuthError } from '../errors.js';
import { revokeTokens, type RevocableToken } from '../flows/revoke.js';
import { tokenKey } from '../token-set.js';
import { revokeMachineToken } from '../machine/machine-login.js';
import { storedFlowContext } from './flow-context.js';
import type { SessionContext } from './types.js';

export type { RevocableToken } from '../flows/revoke.js';

/** What the IdP was asked to revoke, and what came of it. */
export type RevocationReport =
  /** Nothing to revoke: nothing stored, or not an OAuth credential. */
  | { outcome: 'none' }
  /** The IdP has no revocation endpoint: the tokens stay valid until they expire. */
  | { outcome: 'unsupported'; accessTokenExpiresAt: number }
  /** The revocation request failed (already reported through the interaction). */
  | { outcome: 'failed'; reason: string; accessTokenExpiresAt: number }
  /** RFC 7009 answers for each token sent; `unrevocable` ones stay valid until `accessTokenExpiresAt`. */
  | { outcome: 'answered'; revoked: RevocableToken[]; unrevocable: RevocableToken[]; accessTokenExpiresAt: number };

export interface LogoutResult {
  /**
   * The IdP confirmed (RFC 7009) that the login cannot be renewed: it revoked
   * the refresh token, or the access token when there was no refresh token.
   */
  revoked: boolean;
  revocation: RevocationReport;
  /** A stored credential was deleted. */
  deleted: boolean;
}

/**
 * Revokes the profile's tokens at the IdP when it has a revocation endpoint
 * (a machine identity's at its login API), then deletes them. A failed
 * revocation is reported, not fatal: the local credential goes either way.
 */
export async function logout(ctx: SessionContext): Promise<LogoutResult> {
  const key = tokenKey(ctx.profile.name);
  return ctx.store.withLock(key, () => revokeAndDelete(ctx, key, `profile ${ctx.profile.name}`));
}

/**
 * Logout of whatever credential `key` holds (`whose` names it in the
 * report of a failed revocation). The caller holds the profile's lock.
 */
export async function revokeAndDelete(ctx: SessionContext, key: string, whose: string): Promise<LogoutResult> {
  // A corrupt credential must not keep anyone from logging out.
  const credential = await ctx.store.get(key).catch((error: unknown) => {
    if (AuthError.is(error) && error.code === 'STORE_CORRUPT') return undefined;
    throw error;
  });
  let revocation: RevocationReport = { outcome: 'none' };
  if (credential?.kind === 'oauth') {
    const { tokens } = credential;
    const accessTokenExpiresAt = tokens.expires_at;
    revocation = { outcome: 'unsupported', accessTokenExpiresAt };
    if (credential.server.revocation_endpoint !== undefined) {
      try {
        const answered =
          credential.flow === 'exchange'
            ? await revokeMachineToken(ctx, credential)
            : await revokeTokens(await storedFlowContext(ctx, credential), tokens);
        if (answered !== undefined) revocation = { outcome: 'answered', ...answered, accessTokenExpiresAt };
      } catch (error) {
        const reason = AuthError.is(error) ? error.message : String(error);
        ctx.interaction.print(`Could not revoke the tokens of ${whose} at the IdP: ${reason}`);
        revocation = { outcome: 'failed', reason, accessTokenExpiresAt };
      }
    }
  }
  const renewer: RevocableToken | undefined =
    credential?.kind === 'oauth' ? (credential.tokens.refresh_token === undefined ? 'access_token' : 'refresh_token') : undefined;
  const revoked = revocation.outcome === 'answered' && renewer !== undefined && revocation.revoked.includes(renewer);
  return { revoked, revocation, deleted: await ctx.store.delete(key) };
}
