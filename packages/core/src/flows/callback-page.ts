import { PAGE_STYLE } from '../pages/page-style.js';

/**
 * The pages the loopback listener (RFC 8252 §7.3) shows in the person's
 * browser: self-contained, in auth-server's stylesheet, and each says what
 * to do next, since the person is looking at the browser, not the terminal.
 */

export function loginCompletePage(profile: string): string {
  return page('Login complete', `authctl is logged in to profile ${profile}.`, 'You can close this tab and go back to the terminal.');
}

export function loginFailedPage(profile: string, problem: string): string {
  return page('Login failed', `${problem}.`, `Go back to the terminal for the details, then run \`authctl login --profile ${profile}\` again.`);
}

/** A page: its title, what happened, and what to do next (`command` spans shown as code). */
export function page(title: string, message: string, next?: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escape(title)} · authctl</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
<p class="brand">authctl</p>
<h1>${escape(title)}</h1>
<p>${escape(message)}</p>
${next === undefined ? '' : `<p>${escape(next).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`}
</main>
</body>
</html>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
