import type { KoaContextWithOIDC } from 'oidc-provider';
import { loggedOutPage, logoutPage } from '../pages/logout-pages.js';
import { nonceOf } from './security-headers.js';

/**
 * oidc-provider's RP-initiated logout hooks, rendered with our pages. The
 * confirmation form posts back to oidc-provider, which checks its `xsrf`
 * token against the session; "Stay signed in" posts without `logout=yes`.
 */

const clientName = (ctx: KoaContextWithOIDC) => ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId;
const xsrfOf = (ctx: KoaContextWithOIDC) => (ctx.oidc.session?.state as { secret?: string } | undefined)?.secret ?? '';

export const logoutFlowPages = {
  async logoutSource(ctx: KoaContextWithOIDC): Promise<void> {
    ctx.body = logoutPage({ nonce: nonceOf(ctx), action: ctx.oidc.urlFor('end_session_confirm'), xsrf: xsrfOf(ctx), clientName: clientName(ctx) });
  },

  async postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
    ctx.body = loggedOutPage({ nonce: nonceOf(ctx), clientName: clientName(ctx) });
  },
};
