import { AuthError } from '@auth/core/provider';
import { metaDirectory, ossDirectory, type InfluxCredentials, type MetaDirectoryOptions } from '@auth/provider-influx-meta';
import type { DirectorySettings } from './config.js';
import type { OpenDirectory } from './gateway.js';

/**
 * A route's user directory from its `[auth] meta-*` settings: an InfluxDB
 * Enterprise meta node or an InfluxDB OSS 1.x server, through
 * @auth/provider-influx-meta's clients.
 */
export const openInfluxDirectory: OpenDirectory = (settings, context) => {
  const options: MetaDirectoryOptions = {
    url: settings.url,
    credentials: credentialsOf(settings),
    tls: {
      ...(settings.tls.ca === undefined ? {} : { caFile: settings.tls.ca }),
      ...(settings.tls.cert === undefined ? {} : { certFile: settings.tls.cert }),
      ...(settings.tls.key === undefined ? {} : { keyFile: settings.tls.key }),
      insecureSkipVerify: settings.tls.insecureSkipVerify,
    },
    timeoutMs: context.io.timeoutMs,
    now: () => Math.floor(context.now() / 1000),
  };
  return settings.kind === 'meta' ? metaDirectory(options) : ossDirectory(options);
};

function credentialsOf(settings: DirectorySettings): InfluxCredentials {
  switch (settings.auth.kind) {
    case 'basic':
      return { username: settings.auth.username, password: settings.auth.password };
    case 'internal-shared-secret':
      return { sharedSecret: settings.auth.secret };
    case 'none':
      // A meta node without auth-enabled ignores credentials; an OSS server needs an admin to list users and grants.
      if (settings.kind === 'meta') return { username: '', password: '' };
      throw new AuthError('CONFIG_INVALID', `${settings.where}: an InfluxDB OSS directory needs admin credentials (meta-username and meta-password)`, {
        key: `${settings.where}.meta-username`,
        hint: 'set meta-username, and meta-password through KAPACITOR_AUTH_META_PASSWORD',
      });
  }
}
