import { z } from 'zod';
import { parseListenAddress } from '../config/listen-address.js';
import { cleanPath } from './request-target.js';

/**
 * `[gateway]`: auth-server in front of an upstream HTTP API. Each
 * `[[gateway.routes]]` entry names a path prefix and either the provider
 * that authenticates it (its `[gateway.routes.auth]` table is checked at
 * startup by that provider's `configSchema`) or `public = true`.
 */

const listenAddress = z
  .string()
  .refine((value) => parseListenAddress(value) !== undefined, { error: 'must be HOST:PORT, e.g. 127.0.0.1:9092' });

const upstreamUrl = z.string().superRefine((value, ctx) => {
  if (!URL.canParse(value)) return void ctx.addIssue({ code: 'custom', message: 'must be a URL, e.g. http://127.0.0.1:9092' });
  const url = new URL(value);
  if (!/^https?:$/.test(url.protocol)) ctx.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL' });
  else if (url.search || url.hash || url.username || url.password) ctx.addIssue({ code: 'custom', message: 'must be a base URL without query, #fragment or credentials' });
});

const seconds = z.number().positive({ error: 'must be a positive number of seconds' });

const routeSchema = z
  .strictObject({
    /** Requests whose cleaned path is this prefix or below it (`/kapacitor/v1` covers `/kapacitor/v1/tasks`, not `/kapacitor/v10`). */
    prefix: z.string().refine((value) => value === '/' || (cleanPath(value).ok && !value.endsWith('/')), {
      error: 'must be a clean path starting with / and without a trailing / (e.g. /kapacitor/v1)',
    }),
    /** The id of the provider that authenticates and authorizes the route. */
    provider: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'must be a provider id: lower-case letters, digits and dashes' }).optional(),
    /** Forwarded without authentication; must be said explicitly. */
    public: z.literal(true, { error: 'must be true (leave it out for an authenticated route)' }).optional(),
    /** The provider's settings for this route, validated by its `gateway.configSchema`. */
    auth: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((route, ctx) => {
    if (route.provider === undefined && route.public === undefined) {
      ctx.addIssue({ code: 'custom', path: ['provider'], message: 'is required: name the provider that authenticates this route, or set public = true' });
    }
    if (route.provider !== undefined && route.public !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['public'], message: 'cannot be combined with provider: a route is either authenticated or public' });
    }
    if (route.public !== undefined && route.auth !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['auth'], message: 'is only used with provider = "<id>"; a public route has no auth table' });
    }
  });

export const gatewaySchema = z
  .strictObject({
    /** Where the gateway accepts client requests (its own listener, apart from the issuer's). */
    listen: listenAddress,
    /** The protected API's base URL; a path in it is put in front of every forwarded path. */
    upstream: upstreamUrl,
    /** PEM CA certificates trusted for an https:// upstream (default: Node's bundled roots); relative to the config file. */
    upstream_ca_file: z.string().min(1, { error: 'must name a file' }).optional(),
    /** Where Prometheus scrapes `/metrics`: its own listener, so it never shadows an upstream path. */
    metrics_listen: listenAddress.optional(),
    /** Time to connect to the upstream (502 when it refuses or the time runs out). */
    connect_timeout_seconds: seconds.default(5),
    /** Time from the forwarded request to the upstream's response headers (504 when it runs out). */
    response_timeout_seconds: seconds.default(60),
    /** Longest silence on a connection: a client sending its request, a body in either direction, an idle keep-alive. */
    idle_timeout_seconds: seconds.default(60),
    /** Largest request body forwarded (413 above it); default: no limit, bodies stream through. */
    max_body_bytes: z.number().int({ error: 'must be a whole number of bytes' }).positive({ error: 'must be positive' }).optional(),
    routes: z.array(routeSchema).min(1, { error: 'must list at least one [[gateway.routes]] entry' }),
  })
  .superRefine((gateway, ctx) => {
    const prefixes = gateway.routes.map((route) => route.prefix);
    prefixes.forEach((prefix, i) => {
      if (prefixes.indexOf(prefix) < i) ctx.addIssue({ code: 'custom', path: ['routes', i, 'prefix'], message: 'is used by another route' });
    });
    if (gateway.upstream_ca_file !== undefined && URL.canParse(gateway.upstream) && new URL(gateway.upstream).protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', path: ['upstream_ca_file'], message: 'is only used with an https:// upstream' });
    }
    if (gateway.metrics_listen !== undefined && gateway.metrics_listen === gateway.listen && parseListenAddress(gateway.listen)?.port !== 0) {
      ctx.addIssue({ code: 'custom', path: ['metrics_listen'], message: 'must differ from listen: /metrics never shares the upstream\'s paths' });
    }
  });

export type GatewayConfig = z.output<typeof gatewaySchema>;
export type GatewayRouteConfig = GatewayConfig['routes'][number];
