import { html } from './html.js';
import { layout } from './layout.js';

/** RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2): ask, then confirm. */

export interface LogoutPageOptions {
  nonce: string;
  action: string;
  xsrf: string;
  clientName?: string;
}

export function logoutPage(o: LogoutPageOptions): string {
  return layout({
    title: 'Sign out',
    nonce: o.nonce,
    body: html`<h1>Sign out?</h1>
<p>${o.clientName ? html`<strong>${o.clientName}</strong> asks to end your session on this issuer.` : 'An application asks to end your session on this issuer.'}</p>
<p>Signing out ends your session here; applications you signed in to must sign you in again.</p>
<form method="post" action="${o.action}">
<input type="hidden" name="xsrf" value="${o.xsrf}">
<div class="actions">
<button type="submit" name="logout" value="yes" autofocus>Sign out</button>
<button type="submit" class="secondary">Stay signed in</button>
</div>
</form>`,
  });
}

export function loggedOutPage({ nonce, clientName }: { nonce: string; clientName?: string }): string {
  return layout({
    title: 'Signed out',
    nonce,
    body: html`<h1 class="ok">Signed out</h1>
<p>${clientName ? html`You are signed out of this issuer. You can return to <strong>${clientName}</strong> or close this page.` : 'You are signed out of this issuer. You can close this page.'}</p>`,
  });
}
