import { defineProvider, type Provider } from '@auth/core/provider';
import { kapacitorBasicCredentials } from './client/basic-credentials.js';
import { kapacitorOptions, type KapacitorSettings } from './client/options.js';
import { createKapacitorGateway, type OpenDirectory } from './server/gateway.js';
import { openInfluxDirectory } from './server/influx-directory.js';

export interface KapacitorProviderOptions {
  /** The `provider = "..."` id (default `kapacitor`). */
  id?: string;
  name?: string;
  /** Opens the user directory of a gateway route (default: the InfluxDB meta node or OSS server its settings name). */
  openDirectory?: OpenDirectory;
}

/**
 * Kapacitor: Basic credentials for the kapacitor CLI and API (client side),
 * and Kapacitor-compatible authentication and authorization for auth-server's
 * gateway (server side).
 */
export function createKapacitor(options: KapacitorProviderOptions = {}): Provider<KapacitorSettings> {
  const id = options.id ?? 'kapacitor';
  return defineProvider<KapacitorSettings>({
    specificationVersion: 'v1',
    id,
    name: options.name ?? 'Kapacitor',
    options: kapacitorOptions,
    basic: kapacitorBasicCredentials,
    gateway: createKapacitorGateway({ providerId: id, openDirectory: options.openDirectory ?? openInfluxDirectory }),
  });
}

export const kapacitor = createKapacitor();
