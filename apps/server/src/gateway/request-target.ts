/**
 * What the gateway accepts as a request target, before any provider sees
 * it. The path a provider authorizes must be the path the upstream serves,
 * so anything two parsers could read differently is refused rather than
 * repaired: empty, `.` and `..` segments, segments ending in a dot (which
 * some servers strip), encoded `/`, `\` and `.`, backslashes, control
 * characters and malformed percent-encoding (RFC 3986 §2.1, §3.3, §6.2.2).
 * Encoded unreserved characters are decoded (RFC 3986 §6.2.2.2), so `/v1/%74asks`
 * is authorized and forwarded as `/v1/tasks`.
 */

/** Longer targets get 414; Node's own header limit (16 KiB, request line included) answers 431 beyond that. */
export const MAX_TARGET_BYTES = 8 * 1024;

export type CleanTarget = { ok: true; path: string; query: string } | { ok: false; status: 400 | 414; reason: string };
export type CleanPath = { ok: true; path: string } | { ok: false; reason: string };

// pchar (RFC 3986 §3.3) without `%`, which is checked apart, plus the `/` separator.
const PATH_CHAR = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
// The query (RFC 3986 §3.4) also allows `?` and `/`.
const QUERY_CHAR = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/;
const PERCENT = /%(?![0-9A-Fa-f]{2})/;
const UNRESERVED = /^[A-Za-z0-9\-_~]$/;

export function cleanRequestTarget(target: string): CleanTarget {
  if (Buffer.byteLength(target) > MAX_TARGET_BYTES) return { ok: false, status: 414, reason: `request target longer than ${MAX_TARGET_BYTES} bytes` };
  if (!target.startsWith('/')) return { ok: false, status: 400, reason: 'request target is not a path (absolute-form, authority-form or *)' };
  const mark = target.indexOf('?');
  const query = mark === -1 ? '' : target.slice(mark + 1);
  const path = cleanPath(mark === -1 ? target : target.slice(0, mark));
  if (!path.ok) return { ok: false, status: 400, reason: path.reason };
  if (!QUERY_CHAR.test(query)) return { ok: false, status: 400, reason: 'query has a character that must be percent-encoded' };
  if (PERCENT.test(query)) return { ok: false, status: 400, reason: 'query has malformed percent-encoding' };
  return { ok: true, path: path.path, query };
}

/** The normalised path, or why it is refused. */
export function cleanPath(raw: string): CleanPath {
  if (!raw.startsWith('/')) return { ok: false, reason: 'path does not start with /' };
  if (!PATH_CHAR.test(raw)) return { ok: false, reason: 'path has a character that must be percent-encoded (backslash, control, space or non-ASCII)' };
  if (PERCENT.test(raw)) return { ok: false, reason: 'path has malformed percent-encoding' };
  let refused: string | undefined;
  const decoded = raw.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    if (UNRESERVED.test(char)) return char;
    if (char === '.' || char === '/' || char === '\\' || char < ' ' || char === '\x7f') refused ??= `path encodes ${JSON.stringify(char)} as %${hex}`;
    return `%${hex.toUpperCase()}`;
  });
  if (refused) return { ok: false, reason: refused };
  const segments = decoded.split('/').slice(1);
  for (const [i, segment] of segments.entries()) {
    // One trailing slash is a path of its own (`/kapacitor/v1/tasks/`); any other empty segment is `//`.
    if (segment === '' && i < segments.length - 1) return { ok: false, reason: 'path has an empty segment (//)' };
    if (segment.endsWith('.')) return { ok: false, reason: 'path has a ".", ".." or dot-ending segment' };
  }
  return { ok: true, path: decoded };
}

/** The raw query without the named parameters (names compared decoded, as URLSearchParams reads them); others keep their bytes. */
export function withoutQueryParameters(query: string, names: readonly string[]): string {
  if (names.length === 0 || query === '') return query;
  return query
    .split('&')
    .filter((pair) => !names.includes(decodeQueryPart(pair.split('=', 1)[0]!)))
    .join('&');
}

function decodeQueryPart(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    // Percent-encoding was checked already; an invalid UTF-8 sequence stays as sent.
    return part;
  }
}
