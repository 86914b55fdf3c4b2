import type { KoaContextWithOIDC } from 'oidc-provider';
import { messagePage } from '../pages/message-page.js';
import { nonceOf } from './security-headers.js';

const TITLES: Record<string, string> = {
  invalid_client: 'Unknown application',
  invalid_redirect_uri: 'Redirect address not registered',
  invalid_request: 'Invalid sign-in request',
  invalid_scope: 'Invalid sign-in request',
  invalid_target: 'Unknown resource',
  unauthorized_client: 'Application not allowed',
  access_denied: 'Access denied',
  session_not_found: 'Sign-in expired',
  invalid_grant: 'Sign-in expired',
};

/**
 * oidc-provider's error page, for errors it cannot send back to the client
 * (unknown client, unregistered redirect URI...): a 4xx page, never a redirect.
 */
export async function renderProviderError(
  ctx: KoaContextWithOIDC,
  out: { error: string; error_description?: string },
): Promise<void> {
  ctx.type = 'html';
  ctx.body = messagePage({
    nonce: nonceOf(ctx),
    title: TITLES[out.error] ?? 'Sign-in cannot continue',
    message: out.error_description ?? 'The request could not be processed.',
    next: 'Start the sign-in again from the application. If it keeps failing, tell the application\'s administrator what this page says.',
    details: [['error', out.error]],
  });
}
