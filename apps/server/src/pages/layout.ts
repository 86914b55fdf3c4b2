import { PAGE_STYLE } from '@auth/core';
import { html, trusted, type HtmlValue } from './html.js';

/**
 * The frame of every page: inline CSS only (core's PAGE_STYLE, which
 * authctl's callback pages share), readable without JavaScript. `nonce` is the
 * per-response CSP nonce that lets the inline <style> (and a page's own
 * inline <script>) run.
 */

export interface LayoutOptions {
  title: string;
  nonce: string;
  body: HtmlValue;
  script?: string;
}

export function layout({ title, nonce, body, script }: LayoutOptions): string {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · auth-server</title>
<style nonce="${nonce}">${trusted(PAGE_STYLE)}</style>
</head>
<body>
<main>
<p class="brand">auth-server</p>
${body}
</main>
${script ? html`<script nonce="${nonce}">${trusted(script)}</script>` : ''}
</body>
</html>`.value;
}
