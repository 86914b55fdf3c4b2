/**
 * Logins whose credential is a username and password kept as they are and
 * sent as HTTP Basic credentials (RFC 7617) on every request: the provider's
 * `basic` capability proves and hands them out, core asks for and stores them.
 */
import type { BasicCredentialCapability } from '../contracts/v1/basic-credential.js';
import { AuthError } from '../errors.js';
import { tokenKey, type BasicCredential } from '../token-set.js';
import { notLoggedInHint } from './identities.js';
import { sessionIO } from './session-io.js';
import type { SessionContext } from './types.js';

/** RFC 7617 §2: neither part may hold a control character, and the user-id ends at the first colon. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Asks for the username and password (the session's password source: a
 * flag, the environment, stdin or a prompt), has the provider prove them
 * against its server, then stores them under the profile's token key,
 * replacing an earlier login. Nothing is stored when the check fails.
 */
export async function loginBasic(ctx: SessionContext): Promise<BasicCredential> {
  const capability = basicCapability(ctx);
  const profile = ctx.profile.name;
  const read = ctx.secrets?.password;
  if (read === undefined) {
    throw new AuthError('LOGIN_REQUIRED', `profile ${profile} needs a username and password, and nobody can be asked`, {
      profile,
      hint: `set AUTHCTL_PASSWORD or pipe the password into \`authctl login --profile ${profile} --password-stdin\``,
    });
  }
  const { username, password } = await read();
  const credential: BasicCredential = { kind: 'basic', username, password };
  checkSyntax(ctx, credential);
  // resolveProfile has held every URL of the profile to the loopback-only http rule already.
  await capability.check?.(ctx.profile.settings, credential, sessionIO(ctx, true));
  const key = tokenKey(profile);
  await ctx.store.withLock(key, () => ctx.store.set(key, credential));
  ctx.interaction.emit({ event: 'logged_in', profile, username, credential: 'basic' });
  return credential;
}

/** The profile's stored Basic credentials; LOGIN_REQUIRED when it has none. */
export async function storedBasicCredential(ctx: SessionContext): Promise<BasicCredential> {
  basicCapability(ctx);
  const credential = await ctx.store.get(tokenKey(ctx.profile.name));
  if (credential?.kind === 'basic') return credential;
  const profile = ctx.profile.name;
  throw new AuthError('LOGIN_REQUIRED', `profile ${profile} is not logged in`, { profile, hint: await notLoggedInHint(ctx.store, profile) });
}

/** The variables `authctl exec` hands the child for the profile's stored credentials. */
export async function basicExecEnvironment(ctx: SessionContext): Promise<Record<string, string>> {
  const credential = await storedBasicCredential(ctx);
  return basicCapability(ctx).execEnvironment(ctx.profile.settings, credential);
}

function basicCapability(ctx: SessionContext): BasicCredentialCapability {
  const capability = ctx.provider.basic;
  if (capability === undefined) {
    throw new AuthError('CONFIG_INVALID', `Provider "${ctx.provider.id}" of profile ${ctx.profile.name} has no username-and-password login`, {
      file: ctx.profile.file,
      profile: ctx.profile.name,
      key: `profiles.${ctx.profile.name}.provider`,
      hint: `check \`provider\` in [profiles.${ctx.profile.name}] of ${ctx.profile.file}: this command needs a provider that logs in with a username and password`,
    });
  }
  return capability;
}

function checkSyntax(ctx: SessionContext, { username, password }: BasicCredential): void {
  const profile = ctx.profile.name;
  const refuse = (problem: string, hint: string) => new AuthError('USAGE', `${problem} (profile ${profile})`, { profile, hint });
  if (username === '') throw refuse('the username is empty', 'give it with --username, AUTHCTL_USERNAME or `username` in the profile');
  if (username.includes(':')) {
    throw refuse('the username contains ":", which Basic credentials cannot carry (RFC 7617 §2)', 'use the username without a colon');
  }
  if (CONTROL.test(username)) throw refuse('the username contains a control character', 'check the username for stray characters');
  if (password === '') throw refuse('the password is empty', 'give the password with AUTHCTL_PASSWORD, --password-stdin or the prompt');
  // Never quoted: it is the password.
  if (CONTROL.test(password)) throw refuse('the password contains a control character', 'check the password for a stray newline or tab');
}
