import type { KoaContextWithOIDC } from 'oidc-provider';
import { deviceConfirmPage, deviceEntryPage, deviceSuccessPage } from '../pages/device-pages.js';
import { messagePage } from '../pages/message-page.js';
import { nonceOf } from './security-headers.js';

/**
 * oidc-provider's device-flow page hooks (RFC 8628 §3.3), rendered with our
 * pages. The forms post back to oidc-provider, which checks their `xsrf`
 * token against the session; a mismatch comes back here as an error and is
 * answered with 403.
 */

type DeviceError = Error & { userCode?: string; error_description?: string };

const clientName = (ctx: KoaContextWithOIDC) => ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId ?? 'an application';
const xsrfOf = (ctx: KoaContextWithOIDC) => (ctx.oidc.session?.state as { secret?: string } | undefined)?.secret ?? '';

function entryError(error: DeviceError | undefined): string | undefined {
  if (!error) return undefined;
  if (error.error_description === 'xsrf token invalid') return 'This form expired or did not come from this page. Enter the code again.';
  if (error.userCode || error.name === 'NoCodeError') {
    return 'That code is not valid, has expired or was already used. Check the code on your device and try again.';
  }
  return 'Something went wrong with that request. Enter the code again.';
}

export const deviceFlowPages = {
  async userCodeInputSource(ctx: KoaContextWithOIDC, _form: string, _out?: unknown, err?: unknown): Promise<void> {
    const error = err as DeviceError | undefined;
    if (error?.name === 'AbortedError') {
      ctx.status = 400;
      ctx.body = messagePage({
        nonce: nonceOf(ctx),
        title: 'Sign-in denied',
        message: 'You denied the request; the device was not signed in.',
        next: 'Start the sign-in again on the device if this was a mistake.',
      });
      return;
    }
    if (error?.error_description === 'xsrf token invalid') ctx.status = 403;
    ctx.body = deviceEntryPage({
      nonce: nonceOf(ctx),
      action: ctx.oidc.urlFor('code_verification'),
      xsrf: xsrfOf(ctx),
      userCode: error?.userCode,
      error: entryError(error),
    });
  },

  async userCodeConfirmSource(ctx: KoaContextWithOIDC, _form: string, _client: unknown, _deviceInfo: unknown, userCode: string): Promise<void> {
    ctx.body = deviceConfirmPage({
      nonce: nonceOf(ctx),
      action: ctx.oidc.urlFor('code_verification'),
      xsrf: xsrfOf(ctx),
      userCode,
      clientName: clientName(ctx),
    });
  },

  async successSource(ctx: KoaContextWithOIDC): Promise<void> {
    ctx.body = deviceSuccessPage({ nonce: nonceOf(ctx), clientName: clientName(ctx) });
  },
};
