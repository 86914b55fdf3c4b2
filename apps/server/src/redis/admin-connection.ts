import type { Redis } from 'ioredis';
import { createLogger } from '../logging/logger.js';
import { connectRedis } from './redis-connection.js';
import type { RedisOptions } from './state-backend-config.js';

/** The Redis an admin command (`auth-server keys|identities … `) changes for every instance at once. */
export interface SharedState {
  url: string;
  redis: RedisOptions;
}

/** One connection for one command, closed when `use` is done. */
export async function withRedis<T>({ url, redis: options }: SharedState, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = await connectRedis(url, options, process.env, createLogger({ level: 'silent' }));
  try {
    return await use(redis);
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}
