import { defineProvider, explicitAuthorizationServer, type FlowId, type OAuthDefaults, type Provider } from '@auth/core/provider';
import { certificateAssertion, federatedAssertion } from './client-assertion.js';
import { authorityOf, entraOptions, isTenantId, tenantOf, type EntraSettings } from './options.js';
import { entraSubject } from './subject.js';

export interface EntraProviderOptions {
  /** The `provider = "..."` id (default `entra`). */
  id?: string;
  name?: string;
  /** Defaults for profiles that leave them out (default: flow `device`, client id from AZURE_CLIENT_ID). */
  defaults?: OAuthDefaults;
}

/**
 * Scopes (https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc): the app's own `{client_id}/.default`, plus
 * `offline_access` for a refresh token; client credentials take `.default` alone.
 */
function defaultScopes(clientId: string | undefined, flow: FlowId | undefined): string[] | undefined {
  if (clientId === undefined) return undefined;
  return flow === 'client-credentials' ? [`${clientId}/.default`] : [`${clientId}/.default`, 'offline_access'];
}

/** Microsoft Entra ID, v2.0 endpoints of one tenant (no discovery: the paths are fixed,
 * https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc). */
export function createEntra(options: EntraProviderOptions = {}): Provider<EntraSettings> {
  const clientIdOf = (settings: EntraSettings) =>
    (settings as { client_id?: string }).client_id ?? options.defaults?.client_id ?? (process.env.AZURE_CLIENT_ID || undefined);
  return defineProvider<EntraSettings>({
    specificationVersion: 'v1',
    id: options.id ?? 'entra',
    name: options.name ?? 'Microsoft Entra ID',
    options: entraOptions,
    oauth: {
      specificationVersion: 'v1',
      async resolveServer(settings) {
        const authority = authorityOf(settings);
        const tenant = tenantOf(settings);
        return explicitAuthorizationServer({
          // ID tokens are checked against the issuer only when the tenant names it; see verifyEntraToken for the others.
          ...(isTenantId(tenant) ? { issuer: `${authority}/v2.0` } : {}),
          authorization_url: `${authority}/oauth2/v2.0/authorize`,
          token_url: `${authority}/oauth2/v2.0/token`,
          device_url: `${authority}/oauth2/v2.0/devicecode`,
        });
      },
      issuerUrl: (settings) => authorityOf(settings),
      defaults(settings, flow) {
        const clientId = clientIdOf(settings);
        const scopes = defaultScopes(clientId, flow);
        return {
          flow: 'device',
          ...(clientId === undefined ? {} : { client_id: clientId }),
          ...(scopes === undefined ? {} : { scopes }),
          ...options.defaults,
        };
      },
      // Entra's v2.0 refresh grant wants the scopes again.
      parameters(flow, settings): Record<string, string> {
        if (flow !== 'refresh') return {};
        const scopes = (settings as { scopes?: string[] }).scopes ?? defaultScopes(clientIdOf(settings), flow);
        return scopes === undefined ? {} : { scope: scopes.join(' ') };
      },
      async clientAuth({ flow, settings, profile }) {
        const keyPrefix = `profiles.${profile}`;
        if (settings.certificate_file !== undefined && settings.private_key_file !== undefined) {
          return certificateAssertion({
            certificateFile: settings.certificate_file,
            privateKeyFile: settings.private_key_file,
            algorithm: settings.assertion_algorithm ?? 'PS256',
            tokenEndpoint: `${authorityOf(settings)}/oauth2/v2.0/token`,
            keyPrefix,
          });
        }
        const federatedFile = settings.federated_token_file ?? (process.env.AZURE_FEDERATED_TOKEN_FILE || undefined);
        if (flow === 'client-credentials' && federatedFile !== undefined) {
          return federatedAssertion(federatedFile, settings.federated_token_file === undefined ? 'AZURE_FEDERATED_TOKEN_FILE' : `${keyPrefix}.federated_token_file`);
        }
        return undefined;
      },
      subject: entraSubject,
      // Entra's word (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code) for a person refusing a device login.
      errorAliases: { authorization_declined: 'access_denied' },
    },
  });
}

export const entra = createEntra();
