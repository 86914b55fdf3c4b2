import { html } from './html.js';
import { layout } from './layout.js';

/** RFC 8628 §3.3 user interaction: enter the code, confirm the device, done. */

export interface DeviceEntryPageOptions {
  nonce: string;
  action: string;
  xsrf: string;
  userCode?: string;
  error?: string;
}

export function deviceEntryPage(o: DeviceEntryPageOptions): string {
  return layout({
    title: 'Connect a device',
    nonce: o.nonce,
    body: html`<h1>Connect a device</h1>
<p>Enter the code shown on your device or terminal.</p>
${o.error ? html`<div class="alert" role="alert" id="code-error">${o.error}</div>` : ''}
<form method="post" action="${o.action}">
<input type="hidden" name="xsrf" value="${o.xsrf}">
<label for="user_code">Device code</label>
<input type="text" id="user_code" name="user_code" class="code" value="${o.userCode ?? ''}" placeholder="XXXX-XXXX" autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus${o.error ? html` aria-describedby="code-error"` : ''}>
<div class="actions"><button type="submit">Continue</button></div>
</form>`,
  });
}

export interface DeviceConfirmPageOptions {
  nonce: string;
  action: string;
  xsrf: string;
  userCode: string;
  clientName: string;
}

export function deviceConfirmPage(o: DeviceConfirmPageOptions): string {
  return layout({
    title: 'Confirm the device',
    nonce: o.nonce,
    body: html`<h1>Confirm the device</h1>
<p><strong>${o.clientName}</strong> asks to sign in. Approve only if your device or terminal shows this code:</p>
<p class="code" id="user-code">${o.userCode}</p>
<form method="post" action="${o.action}">
<input type="hidden" name="xsrf" value="${o.xsrf}">
<input type="hidden" name="user_code" value="${o.userCode}">
<div class="actions">
<button type="submit" name="confirm" value="yes" autofocus>Approve</button>
<button type="submit" name="abort" value="yes" class="secondary">Deny</button>
</div>
</form>`,
  });
}

export function deviceSuccessPage({ nonce, clientName }: { nonce: string; clientName: string }): string {
  return layout({
    title: 'Device connected',
    nonce,
    body: html`<h1 class="ok">Device connected</h1>
<p><strong>${clientName}</strong> is now signed in. You can close this page and return to your device.</p>`,
  });
}
