import { type GatewayCapability, type GatewayContext } from '@auth/core/provider';
import type { UserDirectory } from '@auth/provider-influx-meta';
import { createKapacitorAuthenticator } from './authenticator.js';
import { kapacitorGatewayConfig, resolveSettings, type DirectorySettings, type KapacitorGatewayConfig } from './config.js';
import { SubscriptionTokens } from './subscription-tokens.js';

/** Opens the user directory a route's `[auth]` table names (an Enterprise meta node or an OSS server). */
export type OpenDirectory = (settings: DirectorySettings, context: GatewayContext) => UserDirectory | Promise<UserDirectory>;

export interface KapacitorGatewayOptions {
  /** The provider id the principals carry. */
  readonly providerId: string;
  readonly openDirectory: OpenDirectory;
}

/** The `gateway` capability: Kapacitor-compatible authentication and authorization for a route. */
export function createKapacitorGateway(options: KapacitorGatewayOptions): GatewayCapability<KapacitorGatewayConfig> {
  return {
    specificationVersion: 'v1',
    configSchema: kapacitorGatewayConfig,
    async createAuthenticator(config, context) {
      const settings = resolveSettings(config, context.where, context.env);
      const subscriptions = settings.subscriptionTokensFile
        ? await SubscriptionTokens.load(settings.subscriptionTokensFile, context.where)
        : SubscriptionTokens.none;
      const directory = await options.openDirectory(settings.directory, context);
      return createKapacitorAuthenticator({ providerId: options.providerId, settings, directory, subscriptions, context });
    },
  };
}
