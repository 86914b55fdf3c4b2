import { defineProvider, type Provider } from '@auth/core/provider';
import { influxMetaAdminCommands } from './admin-commands.js';
import { influxMetaOptions, type InfluxMetaSettings } from './options.js';

/**
 * InfluxDB users, roles and permissions: the Enterprise meta API, or InfluxQL
 * on an OSS 1.x server (`mode = "oss"`). Administration only: InfluxDB has no
 * login of its own to hand out tokens, so the provider declares no `oauth`.
 */
export function createInfluxMeta(): Provider<InfluxMetaSettings> {
  return defineProvider<InfluxMetaSettings>({
    specificationVersion: 'v1',
    id: 'influx-meta',
    name: 'InfluxDB users (Enterprise meta API, OSS 1.x)',
    options: influxMetaOptions,
    admin: influxMetaAdminCommands,
  });
}

export const influxMeta = createInfluxMeta();
