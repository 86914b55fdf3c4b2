import type { ZodType } from 'zod';
import type { Principal } from './machine-identity.js';
import type { ProviderIO } from './provider.js';

/**
 * The gateway: auth-server protects an upstream HTTP API and, per route, asks
 * one provider whether a request may pass. The provider parses the
 * credentials its protocol defines (Kapacitor's Basic, `u`/`p` and
 * shared-secret JWTs; an IdP's bearer JWTs), checks them, authorizes the
 * request and, when it refuses, answers in its protocol's own words (status,
 * headers, body), so the server never names a provider nor its error bodies.
 *
 * The server has already refused what no protocol accepts (an unclean path,
 * oversized headers) before a provider sees the request; what the provider
 * allows is forwarded with exactly the path it authorized.
 */
export interface GatewayCapability<Config = Record<string, unknown>> {
  readonly specificationVersion: 'v1';
  /** The route's `[gateway.routes.auth]` table; auth-server validates it with this schema and names the failing key. */
  readonly configSchema: ZodType<Config>;
  /** Called once per route at startup; a bad configuration throws `AuthError('CONFIG_INVALID')` naming `context.where`. */
  createAuthenticator(config: Config, context: GatewayContext): Promise<GatewayAuthenticator>;
}

export interface GatewayContext {
  /** Where the route's auth table is, for error messages (`/etc/auth-server.toml gateway.routes[0].auth`). */
  where: string;
  /** Bounded fetch (timeout, size limit) for user directories and key sets; each call also gets the request's signal. */
  io: Pick<ProviderIO, 'fetch' | 'timeoutMs'>;
  /** The clock, in epoch milliseconds; tests inject one, so cache expiry is tested without waiting. */
  now(): number;
  /** Where secrets named by the configuration are read (`KAPACITOR_AUTH_META_PASSWORD`, …); never `process.env` directly. */
  env: Readonly<Record<string, string | undefined>>;
  /** Structured log for what the client is not told (why a request was denied, a directory failing); never a secret. */
  log(event: string, fields: Readonly<Record<string, unknown>>): void;
}

export interface GatewayRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** The cleaned path (no `.`/`..` segments, no empty segments, no encoded `/`), starting with `/`: what is authorized is what is forwarded. */
  path: string;
  /** The query string's parameters, as received. */
  query: URLSearchParams;
  /** Request headers, names lower-case; repeated headers joined with `, ` as Node does. */
  headers: Readonly<Record<string, string | undefined>>;
  /** Aborted when the client goes away or the gateway's deadline passes. */
  signal: AbortSignal;
}

export type GatewayDecision = GatewayAllow | GatewayDeny;

export interface GatewayAllow {
  readonly allow: true;
  readonly principal: Principal;
  /**
   * Changes to the forwarded request's headers: a string sets the header, `null` removes it
   * (e.g. the client's `Authorization`, once consumed, or a credential the upstream trusts).
   */
  readonly upstreamHeaders?: Readonly<Record<string, string | null>>;
  /** Query parameters removed before forwarding (credentials carried in the URL, such as `u` and `p`). */
  readonly removeQuery?: readonly string[];
}

export interface GatewayDeny {
  readonly allow: false;
  /** 4xx for the client's fault; 503 when a directory or key set cannot be reached. */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Why, for the server log; never a secret. */
  readonly reason: string;
}

/** One Prometheus sample an authenticator reports (e.g. cache hits), exposed by the gateway's `/metrics`. */
export interface GatewayMetric {
  /** Without the server's prefix: `user_cache_hits_total`. */
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly value: number;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface GatewayAuthenticator {
  authenticate(request: GatewayRequest): Promise<GatewayDecision>;
  /** Current samples, read on every scrape of `/metrics`. */
  metrics?(): readonly GatewayMetric[];
  /** Stops timers and open connections at shutdown. */
  close?(): Promise<void>;
}
