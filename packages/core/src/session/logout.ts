import { AuthError } from '../errors.js';
import { revokeTokens } from '../flows/revoke.js';
import { tokenKey } from '../token-set.js';
import { storedFlowContext } from './flow-context.js';
import type { SessionContext } from './types.js';

export interface LogoutResult {
  /** The IdP confirmed the revocation (RFC 7009). */
  revoked: boolean;
  /** A stored credential was deleted. */
  deleted: boolean;
}

/**
 * Revokes the profile's tokens at the IdP when it has a revocation endpoint,
 * then deletes them. A failed revocation is reported, not fatal: the local
 * credential goes either way.
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
  let revoked = false;
  if (credential?.kind === 'oauth' && credential.server.revocation_endpoint !== undefined) {
    try {
      revoked = await revokeTokens(await storedFlowContext(ctx, credential), credential.tokens);
    } catch (error) {
      const reason = AuthError.is(error) ? error.message : String(error);
      ctx.interaction.print(`Could not revoke the tokens of ${whose} at the IdP: ${reason}`);
    }
  }
  return { revoked, deleted: await ctx.store.delete(key) };
}
