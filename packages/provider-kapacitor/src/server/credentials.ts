import type { GatewayRequest } from '@auth/core/provider';

/** What a request presented, in the words of Kapacitor's `parseCredentials`. */
export type Credentials =
  | { readonly method: 'bearer'; readonly token: string }
  | { readonly method: 'basic' | 'query'; readonly username: string; readonly password: string }
  | { readonly method: 'subscription'; readonly token: string };

export const UNPARSABLE = 'unable to parse authentication credentials';

/** Kapacitor's subscription user (`SubscriptionUser` in `services/httpd/handler.go`): InfluxDB writes subscriptions with this name and a token. */
export const SUBSCRIBER = '~subscriber';

/**
 * Kapacitor's order (`services/httpd/handler.go` `parseCredentials`): an
 * `Authorization: Bearer` (exact case) wins, then Basic (`~subscriber` names a
 * subscription token), then non-empty `u` and `p` query parameters.
 */
export function kapacitorCredentials(request: GatewayRequest): Credentials | undefined {
  const authorization = request.headers.authorization;
  if (authorization) {
    const space = authorization.indexOf(' ');
    if (space >= 0 && authorization.slice(0, space) === 'Bearer') {
      return { method: 'bearer', token: authorization.slice(space + 1) };
    }
    const basic = basicAuth(authorization);
    if (basic) {
      return basic.username === SUBSCRIBER ? { method: 'subscription', token: basic.password } : { method: 'basic', ...basic };
    }
  }
  return queryCredentials(request.query);
}

/**
 * InfluxDB 1.6's order (`services/httpd/handler.go`@v1.6.7 `parseCredentials`):
 * `u` and `p` query parameters first, then a two-word `Bearer` header, then Basic.
 */
export function influxdbCredentials(request: GatewayRequest): Credentials | undefined {
  const fromQuery = queryCredentials(request.query);
  if (fromQuery) return fromQuery;
  const authorization = request.headers.authorization;
  if (!authorization) return undefined;
  const words = authorization.split(' ');
  if (words.length === 2 && words[0] === 'Bearer') return { method: 'bearer', token: words[1] ?? '' };
  const basic = basicAuth(authorization);
  return basic ? { method: 'basic', ...basic } : undefined;
}

function queryCredentials(query: URLSearchParams): Credentials | undefined {
  const username = query.get('u') ?? '';
  const password = query.get('p') ?? '';
  return username !== '' && password !== '' ? { method: 'query', username, password } : undefined;
}

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Go's `Request.BasicAuth`: scheme case-insensitive, padded standard base64, split at the first `:`. */
function basicAuth(authorization: string): { username: string; password: string } | undefined {
  if (authorization.length < 6 || authorization.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const encoded = authorization.slice(6);
  if (!STD_BASE64.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
