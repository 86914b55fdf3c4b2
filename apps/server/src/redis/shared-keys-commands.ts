import type { Redis } from 'ioredis';
import { describeSigningKeys } from '../keys/key-store.js';
import { createLogger } from '../logging/logger.js';
import { connectRedis } from './redis-connection.js';
import { readSharedKeys, retireSharedSigningKey, rotateSharedSigningKey } from './redis-key-store.js';
import type { RedisOptions } from './state-backend-config.js';

/** `auth-server keys … --state URL`: the key set every instance shares, changed in Redis and picked up by each without a restart. */
export interface SharedState {
  url: string;
  redis: RedisOptions;
}

async function withRedis<T>({ url, redis: options }: SharedState, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = await connectRedis(url, options, process.env, createLogger({ level: 'silent' }));
  try {
    return await use(redis);
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** One new signing key in front; returns its kid. */
export function rotateSharedKeys(state: SharedState): Promise<string> {
  return withRedis(state, async (redis) => (await rotateSharedSigningKey(redis, state.redis.key_prefix)).kid);
}

export function retireSharedKey(state: SharedState, kid: string): Promise<void> {
  return withRedis(state, (redis) => retireSharedSigningKey(redis, state.redis.key_prefix, kid, `--state ${state.url}`));
}

export function listSharedKeys(state: SharedState): Promise<ReturnType<typeof describeSigningKeys>> {
  return withRedis(state, async (redis) => describeSigningKeys(await readSharedKeys(redis, state.redis.key_prefix)));
}
