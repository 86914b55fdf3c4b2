import type { BasicCredential } from '@auth/core/provider';

/**
 * `KAPACITOR_URL` for the kapacitor CLI: the profile's server with the
 * credentials as URL userinfo, which the CLI's Go client sends as
 * `Authorization: Basic` (Kapacitor docs, "Authenticate with the Kapacitor
 * CLI": `kapacitor -url http://<username>:<password>@localhost:9092`; the CLI
 * reads `KAPACITOR_URL` when `-url` is not given, and has no username or
 * password variables of its own).
 *
 * Each part is percent-encoded whole (`encodeURIComponent`): what it leaves
 * as it is are characters Go's `url.Parse` accepts in userinfo (RFC 3986
 * unreserved and sub-delims), and `%`, `:`, `@`, `/`, `?`, `#` and spaces are
 * escaped, so Go's parser gives back exactly the username and password.
 * The WHATWG `URL.username` setter would leave `%` alone and break that.
 */
export function kapacitorUrl(url: string, credential: Pick<BasicCredential, 'username' | 'password'>): string {
  const { protocol, host } = new URL(url);
  return `${protocol}//${encodeURIComponent(credential.username)}:${encodeURIComponent(credential.password)}@${host}`;
}
