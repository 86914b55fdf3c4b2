import 'oidc-provider';

// oidc-provider 8 has `ctx.oidc.urlFor(route)` (lib/helpers/oidc_context.js); @types/oidc-provider 8 omits it.
declare module 'oidc-provider' {
  interface OIDCContext {
    urlFor(name: string, options?: Record<string, unknown>): string;
  }
  // lib/provider.js: `pathFor(name)` gives a route's path under the mount path.
  interface Provider {
    pathFor(name: string, options?: Record<string, unknown>): string;
    /** lib/provider.js: the name of the session, interaction or resume cookie. */
    cookieName(type: 'session' | 'interaction' | 'resume'): string;
  }
}
