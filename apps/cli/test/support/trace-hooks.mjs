import { appendFileSync } from 'node:fs';

/** Module customization hook (runs off-thread): log, then load as usual. */
export async function load(url, context, nextLoad) {
  appendFileSync(process.env.AUTHCTL_TRACE_FILE, `${url}\n`);
  return nextLoad(url, context);
}
