import type { OAuthDefaults, Provider } from '@auth/core/provider';
import { discover } from './discovery.js';
import { exampleOptions, type ExampleSettings } from './options.js';

export interface ExampleProviderOptions {
  /** The `provider = "..."` id (default `example`). */
  id?: string;
  /** Defaults for profiles that leave them out (default: scopes `openid`, the device flow). */
  defaults?: OAuthDefaults;
}

/**
 * Logs in to any OpenID Connect issuer found by discovery. authctl's core
 * flows (browser, code, device, password, client credentials, refresh) do the
 * protocol; the provider only says where the authorization server is.
 */
export function createExample(options: ExampleProviderOptions = {}): Provider<ExampleSettings> {
  const defaults: OAuthDefaults = { scopes: ['openid'], flow: 'device', ...options.defaults };
  return {
    specificationVersion: 'v1',
    id: options.id ?? 'example',
    name: 'Example OpenID Connect issuer',
    options: exampleOptions,
    oauth: {
      specificationVersion: 'v1',
      resolveServer: (settings, io) => discover(settings.issuer, io),
      issuerUrl: (settings) => settings.issuer,
      defaults: () => defaults,
    },
  };
}

export const example = createExample();

export default example satisfies Provider<ExampleSettings>;
