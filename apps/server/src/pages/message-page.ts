import { html, type HtmlValue } from './html.js';
import { layout } from './layout.js';

/** Failure and information pages: what happened and what to do next. */
export interface MessagePageOptions {
  nonce: string;
  title: string;
  message: string;
  next?: string;
  details?: Array<[string, string]>;
}

export function messagePage(o: MessagePageOptions): string {
  const details: HtmlValue = o.details?.length
    ? html`<dl>${o.details.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`
    : '';
  return layout({
    title: o.title,
    nonce: o.nonce,
    body: html`<h1>${o.title}</h1>
<p role="alert">${o.message}</p>
${o.next ? html`<p>${o.next}</p>` : ''}
${details}`,
  });
}
