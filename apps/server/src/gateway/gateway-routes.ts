import { AuthError, type GatewayAuthenticator, type GatewayContext, type Provider } from '@auth/core';
import type { z } from 'zod';
import type { GatewayRouteConfig } from './gateway-config.js';

/** A configured route: public, or guarded by the authenticator its provider made from the route's auth table. */
export interface GatewayRoute {
  prefix: string;
  /** The provider id; undefined for a public route. */
  provider?: string;
  authenticator?: GatewayAuthenticator;
}

/**
 * Each route's auth table, validated by its provider's `configSchema` and
 * turned into an authenticator. Every problem is reported at once, each
 * naming its key (`gateway.routes[1].auth.users_url`), before any
 * authenticator is created.
 */
export async function createGatewayRoutes(
  routes: readonly GatewayRouteConfig[],
  providers: readonly Provider<any>[],
  context: (where: string, route: GatewayRouteConfig) => GatewayContext,
  file?: string,
): Promise<GatewayRoute[]> {
  const gateways = new Map(providers.filter((provider) => provider.gateway).map((provider) => [provider.id, provider.gateway!]));
  const problems: Array<{ key: string; message: string }> = [];
  const parsed = routes.map((route, i) => {
    if (route.provider === undefined) return undefined;
    const key = `gateway.routes[${i}]`;
    const gateway = gateways.get(route.provider);
    if (!gateway) {
      const known = [...gateways.keys()].sort().join(', ') || 'none installed';
      problems.push({ key: `${key}.provider`, message: `no installed provider "${route.provider}" offers a gateway (available: ${known})` });
      return undefined;
    }
    const result = (gateway.configSchema as z.ZodType).safeParse(route.auth ?? {});
    if (!result.success) {
      for (const issue of result.error.issues) problems.push({ key: [`${key}.auth`, ...issue.path.map(String)].join('.'), message: issue.message });
      return undefined;
    }
    return result.data;
  });
  if (problems.length > 0) {
    throw new AuthError('CONFIG_INVALID', `${file ? `${file}: ` : ''}invalid gateway routes\n${problems.map((p) => `  ${p.key}: ${p.message}`).join('\n')}`, {
      ...(file ? { file } : {}),
      key: problems[0]!.key,
      hint: 'fix the keys named above; each provider README lists the keys of its gateway auth table',
    });
  }
  const created: GatewayRoute[] = [];
  try {
    for (const [i, route] of routes.entries()) {
      if (route.provider === undefined) {
        created.push({ prefix: route.prefix });
        continue;
      }
      const where = `${file ? `${file} ` : ''}gateway.routes[${i}].auth`;
      const authenticator = await gateways.get(route.provider)!.createAuthenticator(parsed[i], context(where, route));
      created.push({ prefix: route.prefix, provider: route.provider, authenticator });
    }
  } catch (error) {
    await closeRoutes(created);
    throw error;
  }
  // Longest prefix first: the first match is the most specific route.
  return created.sort((a, b) => b.prefix.length - a.prefix.length);
}

/** The most specific route covering `path` (a cleaned path); none means 404. */
export function matchRoute(routes: readonly GatewayRoute[], path: string): GatewayRoute | undefined {
  return routes.find(({ prefix }) => prefix === '/' || path === prefix || path.startsWith(`${prefix}/`));
}

export async function closeRoutes(routes: readonly GatewayRoute[]): Promise<void> {
  await Promise.allSettled(routes.map((route) => route.authenticator?.close?.()));
}
