import { describeSigningKeys } from '../keys/key-store.js';
import { withRedis, type SharedState } from './admin-connection.js';
import { readSharedKeys, retireSharedSigningKey, rotateSharedSigningKey } from './redis-key-store.js';

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
