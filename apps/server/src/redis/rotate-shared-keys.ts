import type { RedisOptions } from './state-backend-config.js';
import { createLogger } from '../logging/logger.js';
import { connectRedis } from './redis-connection.js';
import { rotateSharedSigningKey } from './redis-key-store.js';

/** `auth-server keys rotate --state URL`: one new signing key in the shared key set; returns its kid. */
export async function rotateSharedKeys(url: string, options: RedisOptions, env: Readonly<Record<string, string | undefined>> = process.env): Promise<string> {
  const redis = await connectRedis(url, options, env, createLogger({ level: 'silent' }));
  try {
    return (await rotateSharedSigningKey(redis, options.key_prefix)).kid;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}
