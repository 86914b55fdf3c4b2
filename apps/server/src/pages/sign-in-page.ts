import { html } from './html.js';
import { layout } from './layout.js';

export interface SignInPageOptions {
  nonce: string;
  action: string;
  abortAction: string;
  csrf: string;
  clientName: string;
  username?: string;
  error?: string;
}

export function signInPage(o: SignInPageOptions): string {
  return layout({
    title: 'Sign in',
    nonce: o.nonce,
    body: html`<h1>Sign in</h1>
<p>to continue to <strong>${o.clientName}</strong></p>
${o.error ? html`<div class="alert" role="alert" id="signin-error">${o.error}</div>` : ''}
<form method="post" action="${o.action}">
<input type="hidden" name="csrf" value="${o.csrf}">
<label for="username">Username</label>
<input type="text" id="username" name="username" value="${o.username ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required ${o.username ? '' : html`autofocus`}${o.error ? html` aria-describedby="signin-error"` : ''}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required ${o.username ? html`autofocus` : ''}>
<div class="actions">
<button type="submit">Sign in</button>
<button type="submit" class="secondary" formaction="${o.abortAction}" formnovalidate>Cancel</button>
</div>
</form>`,
  });
}
