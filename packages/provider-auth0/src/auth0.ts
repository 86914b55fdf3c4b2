import { AuthError, defineProvider, discoverAuthorizationServer, type FlowId, type OAuthDefaults, type Provider } from '@auth/core/provider';
import { auth0Issuer, auth0Options, type Auth0Settings } from './options.js';

export interface Auth0ProviderOptions {
  /** The `provider = "..."` id (default `auth0`). */
  id?: string;
  name?: string;
  /** Defaults for profiles that leave them out (default: scopes `openid profile offline_access`, flow `device`). */
  defaults?: OAuthDefaults;
}

/** Flows whose requests name the API the token is for. Refresh keeps the grant's audience. */
const AUDIENCE_FLOWS: ReadonlySet<FlowId> = new Set(['device', 'browser', 'code', 'client-credentials', 'password']);

/** Auth0: discovery from `https://{domain}/`, `audience` on every grant that starts a token family. */
export function createAuth0(options: Auth0ProviderOptions = {}): Provider<Auth0Settings> {
  const defaults: OAuthDefaults = { scopes: ['openid', 'profile', 'offline_access'], flow: 'device', ...options.defaults };
  return defineProvider<Auth0Settings>({
    specificationVersion: 'v1',
    id: options.id ?? 'auth0',
    name: options.name ?? 'Auth0',
    options: auth0Options,
    oauth: {
      specificationVersion: 'v1',
      resolveServer: (settings, io) => discoverAuthorizationServer(auth0Issuer(settings), io),
      issuerUrl: auth0Issuer,
      defaults: () => defaults,
      parameters(flow, settings, { profile, file }): Record<string, string> {
        if (!AUDIENCE_FLOWS.has(flow)) return {};
        const audience = settings.audience ?? (settings as { parameters?: Record<string, string> }).parameters?.audience;
        if (audience !== undefined) return { audience };
        if (flow === 'client-credentials') {
          throw new AuthError('CONFIG_INVALID', `${file}: profiles.${profile}.audience is required for a client-credentials login with Auth0`, {
            file,
            profile,
            key: `profiles.${profile}.audience`,
            hint: `add audience = "<API identifier>" to [profiles.${profile}] in ${file}`,
          });
        }
        return {};
      },
    },
  });
}

export const auth0 = createAuth0();
