import type { Provider } from '@auth/core';
import { kapacitor, type KapacitorSettings } from './kapacitor.js';

export { createKapacitor, kapacitor, type KapacitorProviderOptions, type KapacitorSettings } from './kapacitor.js';
export { createKapacitorGateway, type KapacitorGatewayOptions, type OpenDirectory } from './server/gateway.js';
export { kapacitorGatewayConfig, type DirectoryAuth, type DirectorySettings, type KapacitorGatewayConfig } from './server/config.js';

export default kapacitor satisfies Provider<KapacitorSettings>;
