import type { Provider } from '@auth/core/provider';
import { kapacitor } from './kapacitor.js';
import type { KapacitorSettings } from './client/options.js';

export { createKapacitor, kapacitor, type KapacitorProviderOptions } from './kapacitor.js';
export { kapacitorOptions, type KapacitorSettings } from './client/options.js';
export { kapacitorUrl } from './client/kapacitor-url.js';
export { createKapacitorGateway, type KapacitorGatewayOptions, type OpenDirectory } from './server/gateway.js';
export { kapacitorGatewayConfig, type DirectoryAuth, type DirectorySettings, type KapacitorGatewayConfig } from './server/config.js';
export { openInfluxDirectory } from './server/influx-directory.js';

export default kapacitor satisfies Provider<KapacitorSettings>;
