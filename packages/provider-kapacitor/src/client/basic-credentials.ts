import type { BasicCredentialCapability } from '@auth/core/provider';
import { kapacitorUrl } from './kapacitor-url.js';
import type { KapacitorSettings } from './options.js';
import { checkKapacitorCredentials } from './ping.js';

/**
 * The client side of a Kapacitor profile: `authctl login` proves the
 * username and password with a ping, and `authctl exec` hands the kapacitor
 * CLI `KAPACITOR_URL` with them, the one way it takes credentials.
 */
export const kapacitorBasicCredentials: BasicCredentialCapability<KapacitorSettings> = {
  specificationVersion: 'v1',
  check: checkKapacitorCredentials,
  execEnvironment: (settings, credential) => ({ KAPACITOR_URL: kapacitorUrl(settings.url, credential) }),
};
