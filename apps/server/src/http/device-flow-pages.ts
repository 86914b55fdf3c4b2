import type { KoaContextWithOIDC } from 'oidc-provider';
import { deviceConfirmPage, deviceEntryPage, deviceSuccessPage } from '../pages/device-pages.js';
import { messagePage } from '../pages/message-page.js';
import { nonceOf } from './security-headers.js';

/**
 * oidc-provider's device-flow page hooks (RFC 8628 §3.3), rendered with our
 * pages. The forms post back to oidc-provider, which checks their `xsrf`
 * token against the session; a mismatch, a form whose session is gone and a
 * confirmation without its sign-in cookie all come back here as errors and
 * are answered with the same 403 "form expired" entry page and a fresh form.
 */

type DeviceError = Error & { userCode?: string; error_description?: string };

/** How long a fresh entry form stays valid when the request came without a session. */
const FORM_SESSION_TTL_SECONDS = 3600;

const EXPIRED_FORM_ERRORS = new Set(['xsrf token invalid', 'could not find device form details']);

const isExpiredForm = (error: DeviceError | undefined) =>
  error !== undefined && (EXPIRED_FORM_ERRORS.has(error.error_description ?? '') || error.name === 'SessionNotFound');

/**
 * oidc-provider's error path puts the fresh form token into the session after
 * its session middleware has run; a session that was never saved (no cookie
 * came with the request) would then fail its `persist()` with a 500. Save it
 * here and give the browser its cookie, as the session middleware would.
 */
async function keepFormSession(ctx: KoaContextWithOIDC): Promise<void> {
  const session = ctx.oidc.session;
  if (!session || typeof session.exp === 'number') return;
  await session.save(FORM_SESSION_TTL_SECONDS);
  ctx.oidc.cookies.set(ctx.oidc.provider.cookieName('session'), session.jti, { httpOnly: true, sameSite: 'lax' });
}

const clientName = (ctx: KoaContextWithOIDC) => ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId ?? 'an application';
const xsrfOf = (ctx: KoaContextWithOIDC) => (ctx.oidc.session?.state as { secret?: string } | undefined)?.secret ?? '';

function entryError(error: DeviceError | undefined): string | undefined {
  if (!error) return undefined;
  if (isExpiredForm(error)) return 'This form expired or did not come from this page. Enter the code again.';
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
    if (error) await keepFormSession(ctx);
    if (isExpiredForm(error)) ctx.status = 403;
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
