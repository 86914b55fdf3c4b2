import type { Provider } from '@auth/core/provider';
import { azure } from './azure.js';
import type { AzureSettings } from './options.js';

export { azure, createAzure, type AzureProviderOptions } from './azure.js';
export { azureOptions, DEFAULT_IMDS_ENDPOINT, DEFAULT_RESOURCE, type AzureSettings } from './options.js';
export { azureBinding, type AzureBinding } from './binding.js';

export default azure satisfies Provider<AzureSettings>;
