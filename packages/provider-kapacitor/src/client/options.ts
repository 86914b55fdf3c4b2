import { z } from 'zod';

const URL_RULE = 'must be the Kapacitor server as http(s)://host:port (e.g. http://localhost:9092), with no path, query or fragment';

/**
 * Only the origin: the kapacitor CLI and Go client (`client/v1/client.go`)
 * replace the URL's path with `/kapacitor/v1/...` on every request, so a
 * path here would be checked at login but ignored by `kapacitor`.
 */
function isKapacitorOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.pathname === '/' && url.search === '' && url.hash === '' && !/[?#]/.test(value);
}

/**
 * The profile keys of a Kapacitor client profile. `username` is a common
 * key (asked at login when absent); the password lives in the credential
 * store only. core holds `url` to the loopback-only `http://` rule.
 */
export const kapacitorOptions = z.object({
  url: z
    .string({ error: URL_RULE })
    .refine(isKapacitorOrigin, { error: URL_RULE })
    .describe('the Kapacitor server, e.g. http://localhost:9092'),
});

export type KapacitorSettings = z.infer<typeof kapacitorOptions>;
