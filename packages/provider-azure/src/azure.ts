import { defineProvider, type Provider } from '@auth/core/provider';
import { azureOptions, type AzureSettings } from './options.js';
import { azureProof } from './proof.js';
import { createAzureVerify } from './verify.js';

export interface AzureProviderOptions {
  /** The `provider = "..."` id (default `azure`). */
  id?: string;
  name?: string;
}

/** Azure machine identities: the `azure` proof (client side) and the `azure-auth` verifier (server side). */
export function createAzure(options: AzureProviderOptions = {}): Provider<AzureSettings> {
  return defineProvider<AzureSettings>({
    specificationVersion: 'v1',
    id: options.id ?? 'azure',
    name: options.name ?? 'Azure managed identity',
    options: azureOptions,
    proof: azureProof,
    verify: createAzureVerify(),
  });
}

export const azure = createAzure();
