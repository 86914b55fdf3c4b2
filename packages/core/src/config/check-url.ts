import { isIPv4, isIPv6 } from 'node:net';
import { configError, describeValue } from './config-error.js';

/**
 * 127.0.0.0/8, ::1 (also IPv4-mapped ::ffff:127.x.y.z) and `localhost`:
 * the hosts RFC 8252 §8.3 lets a native app reach over plain http.
 * Accepts `URL.hostname` forms (`[::1]`) and bare addresses.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (host === 'localhost') return true;
  if (isIPv4(host)) return host.startsWith('127.');
  if (!isIPv6(host)) return false;
  // Let WHATWG URL canonicalise the many spellings of an IPv6 address.
  const canonical = new URL(`http://[${host}]/`).hostname;
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}

/**
 * Parses an endpoint URL from a profile. Only http(s) is accepted, never with
 * embedded credentials, and plain http only for loopback hosts unless the
 * profile says `allow_http = true`.
 */
export function checkEndpointUrl(
  url: string,
  where: { profile: string; key: string; file: string; allowHttp?: boolean },
): URL {
  const key = `profiles.${where.profile}.${where.key}`;
  const fail = (problem: string, hint?: string) =>
    configError(where.file, key, problem, { profile: where.profile, ...(hint === undefined ? {} : { hint }) });

  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw fail(`must be an absolute http(s) URL (got ${describeValue(url.replace(/\/\/[^/]*@/, '//***@'))})`);
  }
  // Checked before anything echoes the URL back: it may carry a password.
  if (parsed.username !== '' || parsed.password !== '') {
    throw fail('must not contain a username or password', `remove the user:password@ part from ${key} in ${where.file}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw fail(`must be an http(s) URL (got ${describeValue(url)})`);
  }
  if (parsed.protocol === 'http:' && !where.allowHttp && !isLoopbackHost(parsed.hostname)) {
    throw fail(
      `must use https:// for the non-loopback host ${parsed.hostname} (got ${describeValue(url)}); ` +
        'plain http would send tokens unencrypted',
      `use https://, or set allow_http = true in [profiles.${where.profile}] of ${where.file} if this network is trusted`,
    );
  }
  return parsed;
}
