import { defineProvider, type Provider } from '@auth/core';
import { kapacitorBasicCredentials } from './client/basic-credentials.js';
import { kapacitorOptions, type KapacitorSettings } from './client/options.js';

export { kapacitorOptions, type KapacitorSettings } from './client/options.js';
export { kapacitorUrl } from './client/kapacitor-url.js';

/** Kapacitor: Basic credentials for the kapacitor CLI and API (client side). */
export const kapacitor = defineProvider<KapacitorSettings>({
  specificationVersion: 'v1',
  id: 'kapacitor',
  name: 'Kapacitor',
  options: kapacitorOptions,
  basic: kapacitorBasicCredentials,
});

export default kapacitor satisfies Provider<KapacitorSettings>;
