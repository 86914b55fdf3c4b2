// The test IdP's web pages: plain, labelled forms that a person, the
// HeadlessUser and the chromium BROWSER script all read the same way. Form ids
// (`login`, `consent`, `deny`, oidc-provider's `op.device*Form`) are the
// contract the two automated users rely on.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:3rem 1rem}
main{max-width:22rem;margin:0 auto;background:#fff;padding:1.5rem 2rem;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
h1{font-weight:400;font-size:1.6rem;margin-top:0}
label{display:block;margin:.8rem 0 .2rem}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;height:2.4rem;font-size:1rem;padding:0 .5rem}
button{margin-top:1rem;width:100%;height:2.4rem;font-size:1rem;cursor:pointer}
.alert{color:#b00020}
code{font-size:1.4rem}
</style>
</head>
<body><main>
<h1>${escape(title)}</h1>
${body}
</main></body>
</html>`;
}

function alert(message: string | undefined, kind: string): string {
  return message ? `<p class="alert" role="alert" data-error="${escape(kind)}">${escape(message)}</p>` : '';
}

export function loginPage(opts: { action: string; clientId: string; login?: string; error?: string }): string {
  return layout(
    'Sign-in',
    `<p>Sign in to continue to <strong>${escape(opts.clientId)}</strong>.</p>
${alert(opts.error, 'login_failed')}
<form id="login" method="post" action="${escape(opts.action)}">
<label for="login-name">Username</label>
<input id="login-name" type="text" name="login" autocomplete="username" autofocus required value="${escape(opts.login ?? '')}">
<label for="login-password">Password</label>
<input id="login-password" type="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign-in</button>
</form>`,
  );
}

export function consentPage(opts: {
  confirmAction: string;
  denyAction: string;
  clientId: string;
  accountId: string;
  scopes: readonly string[];
}): string {
  const scopes = opts.scopes.length ? opts.scopes.map((s) => `<li><code>${escape(s)}</code></li>`).join('') : '<li>no scopes</li>';
  return layout(
    'Authorize',
    `<p><strong>${escape(opts.clientId)}</strong> asks to act as <strong>${escape(opts.accountId)}</strong> with:</p>
<ul>${scopes}</ul>
<form id="consent" method="post" action="${escape(opts.confirmAction)}"><button type="submit">Continue</button></form>
<form id="deny" method="post" action="${escape(opts.denyAction)}"><button type="submit">Deny</button></form>`,
  );
}

/** `form` is oidc-provider's `op.deviceInputForm` (xsrf + user_code input). */
export function deviceInputPage(form: string, error?: { kind: string; message: string }): string {
  return layout(
    'Device sign-in',
    `<p>Enter the code displayed on your device.</p>
${alert(error?.message, error?.kind ?? '')}
${form}
<button type="submit" form="op.deviceInputForm">Continue</button>`,
  );
}

/** `form` is oidc-provider's `op.deviceConfirmForm` (xsrf, user_code, confirm=yes). */
export function deviceConfirmPage(form: string, clientId: string, userCode: string): string {
  return layout(
    'Confirm device',
    `<p><strong>${escape(clientId)}</strong> is asking to sign in. Check that your device shows this code:</p>
<p><code>${escape(userCode)}</code></p>
${form}
<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Abort</button>`,
  );
}

export function deviceSuccessPage(clientId: string): string {
  return layout('Sign-in Success', `<p>You are signed in on <strong>${escape(clientId)}</strong>. You can close this page.</p>`);
}

export function errorPage(error: string, description: string | undefined): string {
  return layout(
    'Sign-in failed',
    `<p class="alert" role="alert" data-error="${escape(error)}"><strong id="error-code">${escape(error)}</strong></p>
<p id="error-description">${escape(description ?? '')}</p>`,
  );
}
