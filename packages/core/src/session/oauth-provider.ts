import { AuthError } from '../errors.js';
import type { OAuthCapability, OAuthDefaults } from '../contracts/v1/provider.js';
import type { FlowId } from '../token-set.js';
import type { SessionContext } from './types.js';

/** The provider's OAuth capability, or a config error naming the profile. */
export function oauthCapability(ctx: SessionContext): OAuthCapability {
  const capability = ctx.provider.oauth;
  if (capability === undefined) {
    throw new AuthError('CONFIG_INVALID', `Provider "${ctx.provider.id}" of profile ${ctx.profile.name} has no OAuth login`, {
      file: ctx.profile.file,
      profile: ctx.profile.name,
      key: `profiles.${ctx.profile.name}.provider`,
      hint: ctx.provider.admin
        ? `it only administers (\`authctl ${ctx.provider.id} --help\`); to log in, use a profile whose provider has an OAuth login`
        : 'use a provider that has an OAuth login (`authctl configure` lists the installed ones)',
    });
  }
  return capability;
}

export function oauthDefaults(ctx: SessionContext, flow?: FlowId): OAuthDefaults {
  return oauthCapability(ctx).defaults?.(ctx.profile.settings, flow) ?? {};
}
