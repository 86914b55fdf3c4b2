import { join } from 'node:path';
import type { Adapter } from 'oidc-provider';
import type { Logger } from 'pino';
import type { IssuerConfig } from '../config/schema.js';
import type { LockoutStore } from '../guard/lockout-store.js';
import { MemoryLockoutStore } from '../guard/memory-lockout-store.js';
import { FileStateStore } from '../issuer/file-state-store.js';
import { loadOrCreateKeys, type KeySet } from '../keys/key-store.js';
import type { SharedMachineStores } from '../machine/machine-role.js';
import { connectRedis, redactedUrl } from '../redis/redis-connection.js';
import { loadOrSeedSharedKeys, watchSharedKeys } from '../redis/redis-key-store.js';
import { RedisLockoutStore } from '../redis/redis-lockout-store.js';
import { RedisClientSecretStore, RedisTokenRevocationStore } from '../redis/redis-machine-stores.js';
import { RedisStateStore } from '../redis/redis-state-store.js';

/** Where one issuer keeps its keys and the state its requests change. */
export interface StateBackend {
  keys: KeySet;
  /** The keys were made just now (first start). */
  created: boolean;
  adapter: new (model: string) => Adapter;
  lockoutStore: LockoutStore;
  /** Shared machine-login stores; absent: the data dir's. */
  machineStores?: SharedMachineStores;
  /** Calls `changed` when another process rotates the keys; absent: keys change only on restart. */
  watchKeys?(changed: (keys: KeySet) => void): Promise<void>;
  close(): Promise<void>;
}

export interface StateBackendOptions {
  config: IssuerConfig;
  logger: Logger;
  env: Readonly<Record<string, string | undefined>>;
  /** The lockout store when state is the data dir (default: this process's memory). */
  lockoutStore?: LockoutStore;
}

/** The data dir (one process), or Redis when `state` names it (several instances). */
export async function openStateBackend(options: StateBackendOptions): Promise<StateBackend> {
  return options.config.state === undefined ? openDataDirBackend(options) : openRedisBackend(options.config.state, options);
}

async function openDataDirBackend({ config, logger, lockoutStore = new MemoryLockoutStore() }: StateBackendOptions): Promise<StateBackend> {
  const { keys, created } = await loadOrCreateKeys(config.data_dir, config.signing_alg);
  const state = await FileStateStore.open(join(config.data_dir, 'issuer-state.json'), { log: logger });
  return { keys, created, adapter: state.adapterClass(), lockoutStore, close: () => state.close() };
}

async function openRedisBackend(url: string, { config, logger, env }: StateBackendOptions): Promise<StateBackend> {
  const prefix = config.redis.key_prefix;
  const redis = await connectRedis(url, config.redis, env, logger);
  let stopWatching: (() => void) | undefined;
  try {
    const { keys, seeded } = await loadOrSeedSharedKeys(redis, prefix, config.data_dir, config.signing_alg);
    logger.info({ event: 'state.redis', redis: redactedUrl(url), key_prefix: prefix, keys_seeded: seeded }, 'state shared in Redis');
    return {
      keys,
      created: seeded,
      adapter: new RedisStateStore(redis, prefix).adapterClass(),
      lockoutStore: new RedisLockoutStore(redis, prefix, 2 * config.lockout.max_lock_seconds * 1000),
      machineStores: {
        secrets: (local) => new RedisClientSecretStore(local, redis, prefix),
        revocations: new RedisTokenRevocationStore(redis, prefix),
      },
      watchKeys: async (changed) => {
        stopWatching = await watchSharedKeys(redis, prefix, keys, changed, (error) =>
          logger.error({ event: 'keys.reload_failed', reason: error.message }, 'cannot read the shared keys from Redis; still signing with the previous ones'),
        );
      },
      close: async () => {
        stopWatching?.();
        await redis.quit().catch(() => redis.disconnect());
      },
    };
  } catch (error) {
    redis.disconnect();
    throw error;
  }
}
