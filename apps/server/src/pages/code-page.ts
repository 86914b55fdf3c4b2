import { html } from './html.js';
import { layout } from './layout.js';

/**
 * The redirect target of `authctl login --flow code` (kxi `--force-code`):
 * shows the authorization code to paste into the terminal. The copy button
 * is an enhancement; without JavaScript the code is selectable text.
 */

const COPY_SCRIPT = `
for (const button of document.querySelectorAll('button[data-copy]')) {
  button.hidden = false;
  button.addEventListener('click', async () => {
    const text = document.getElementById(button.dataset.copy).value;
    try { await navigator.clipboard.writeText(text); button.textContent = 'Copied'; }
    catch { document.getElementById(button.dataset.copy).select(); button.textContent = 'Press Ctrl+C to copy'; }
  });
}`;

export function authorizationCodePage({ nonce, code, state }: { nonce: string; code: string; state?: string }): string {
  return layout({
    title: 'Signed in: copy your code',
    nonce,
    script: COPY_SCRIPT,
    body: html`<h1 class="ok">Signed in</h1>
<p>Copy this authorization code and paste it into the terminal that asked for it. It works once and expires in a minute.</p>
<label for="authorization-code">Authorization code</label>
<input type="text" id="authorization-code" class="code" value="${code}" readonly spellcheck="false">
<div class="actions"><button type="button" data-copy="authorization-code" hidden>Copy code</button></div>
${state ? html`<p class="muted"><small>State: <span id="state" class="code">${state}</span></small></p>` : ''}`,
  });
}
