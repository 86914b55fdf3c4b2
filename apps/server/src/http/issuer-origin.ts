import type { Context, Next } from 'koa';
import { HttpProblem } from './http-problem.js';

export interface IssuerOriginOptions {
  issuer: string;
  /** Hosts besides the issuer's that a request may name (`host` or `host:port`). */
  trustedHosts: readonly string[];
  /** Paths answered whatever the host (a load balancer's health probe names the instance, not the issuer). */
  anyHost: readonly string[];
}

/** `host[:port]` as the URL parser writes it for `protocol`: lower case, the default port dropped. */
function normaliseHost(host: string, protocol: string): string | undefined {
  return URL.canParse(`${protocol}//${host}`) ? new URL(`${protocol}//${host}`).host : undefined;
}

/**
 * oidc-provider builds every endpoint URL (discovery, the device flow's
 * `verification_uri`, redirects) from the request's host and protocol. A
 * request naming another host (`Host`, or `X-Forwarded-Host` behind a
 * trusted proxy) is refused with 421 Misdirected Request (RFC 9110 §15.5.20);
 * an accepted one sees the issuer's own host and protocol, so
 * the URLs it is given are always the configured issuer's.
 */
export function issuerOrigin({ issuer, trustedHosts, anyHost }: IssuerOriginOptions) {
  const { protocol, host } = new URL(issuer);
  const accepted = new Set([host, ...trustedHosts.flatMap((name) => normaliseHost(name, protocol) ?? [])]);
  const refusal = new HttpProblem(421, 'Wrong address', `This server answers for ${issuer} only.`, `Open ${issuer} instead.`);

  return async function pinIssuerOrigin(ctx: Context, next: Next): Promise<void> {
    if (!anyHost.includes(ctx.path)) {
      const requested = normaliseHost(ctx.host, protocol);
      if (!requested || !accepted.has(requested)) throw refusal;
      Object.defineProperties(ctx.request, {
        host: { value: host },
        protocol: { value: protocol.slice(0, -1) },
      });
    }
    await next();
  };
}
