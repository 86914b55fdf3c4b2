import type { Context, Next } from 'koa';

/** Where oidc-provider 8 serves its metadata: OpenID Connect Discovery 1.0 §4. */
const DISCOVERY_PATHS = ['/.well-known/openid-configuration'];

/**
 * Lets clients and shared caches keep discovery for 5 minutes and the JWKS
 * for 1 minute. After a key rotation and restart the new key signs at once;
 * verifiers refetch the JWKS when they meet an unknown `kid`, and the short
 * lifetime bounds how long a retired key stays trusted by a cache.
 */
export function publicCaching({ jwksPath }: { jwksPath: string }) {
  const lifetimes = new Map([...DISCOVERY_PATHS.map((path) => [path, 'public, max-age=300'] as const), [jwksPath, 'public, max-age=60']]);
  return async function setCacheControl(ctx: Context, next: Next): Promise<void> {
    await next();
    const cacheControl = lifetimes.get(ctx.path);
    if (cacheControl && ctx.method === 'GET' && ctx.status === 200) ctx.set('Cache-Control', cacheControl);
  };
}
