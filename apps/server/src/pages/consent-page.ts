import { html } from './html.js';
import { layout } from './layout.js';

export interface ConsentPageOptions {
  nonce: string;
  action: string;
  abortAction: string;
  csrf: string;
  clientName: string;
  username: string;
  scopes: string[];
  resources: string[];
}

export function consentPage(o: ConsentPageOptions): string {
  return layout({
    title: 'Allow access',
    nonce: o.nonce,
    body: html`<h1>Allow access?</h1>
<p><strong>${o.clientName}</strong> wants to act as <strong>${o.username}</strong>.</p>
${o.scopes.length ? html`<p>It asks for:</p><ul>${o.scopes.map((scope) => html`<li><code>${scope}</code></li>`)}</ul>` : ''}
${o.resources.length ? html`<p>Its tokens will be accepted by:</p><ul>${o.resources.map((r) => html`<li><code>${r}</code></li>`)}</ul>` : ''}
<form method="post" action="${o.action}">
<input type="hidden" name="csrf" value="${o.csrf}">
<div class="actions">
<button type="submit" autofocus>Allow</button>
<button type="submit" class="secondary" formaction="${o.abortAction}">Deny</button>
</div>
</form>`,
  });
}
