import { AuthError } from '@auth/core';
import type { Redis } from 'ioredis';
import type { SigningAlg } from '../config/schema.js';
import { loadOrCreateKeys, newSigningKey, parseKeySet, type KeySet, type SigningKey } from '../keys/key-store.js';

/**
 * The issuer's keys shared by every instance: one JSON key set under
 * `<prefix>keys` (the same shape as `keys.json`). The first instance to
 * start seeds it from its data dir (so a single server's keys carry over);
 * the others take it. A rotation replaces it in one transaction and is
 * announced on the channel of the same name; each instance re-reads it then,
 * and again whenever its subscription reconnects (a message sent while it
 * was away is not lost).
 */

const keysKey = (prefix: string) => `${prefix}keys`;

export async function loadOrSeedSharedKeys(redis: Redis, prefix: string, dataDir: string, alg: SigningAlg): Promise<{ keys: KeySet; seeded: boolean }> {
  const existing = await redis.get(keysKey(prefix));
  if (existing !== null) return { keys: parseKeySet(existing, `Redis key ${keysKey(prefix)}`), seeded: false };
  const { keys } = await loadOrCreateKeys(dataDir, alg);
  const seeded = (await redis.set(keysKey(prefix), JSON.stringify(keys), 'NX')) === 'OK';
  const shared = await redis.get(keysKey(prefix));
  return { keys: parseKeySet(shared!, `Redis key ${keysKey(prefix)}`), seeded };
}

/** Adds a new signing key in front (it signs from now on, on every instance); older keys keep verifying. */
export async function rotateSharedSigningKey(redis: Redis, prefix: string): Promise<SigningKey> {
  const key = keysKey(prefix);
  for (;;) {
    await redis.watch(key);
    const text = await redis.get(key);
    if (text === null) {
      await redis.unwatch();
      throw new AuthError('USAGE', `there is no key set at Redis key ${key}`, { hint: 'start auth-server with this state once first: it seeds the keys' });
    }
    const keys = parseKeySet(text, `Redis key ${key}`);
    const signing = await newSigningKey(keys.signing[0]!.alg);
    const done = await redis.multi().set(key, JSON.stringify({ ...keys, signing: [signing, ...keys.signing] })).publish(key, signing.kid).exec();
    // null: another rotation changed the key set first; start again from it.
    if (done !== null) return signing;
  }
}

/**
 * Calls `changed` with the key set each time it changes in Redis; resolves
 * once subscribed. A Redis that lost its data gets `current` back.
 */
export async function watchSharedKeys(
  redis: Redis,
  prefix: string,
  current: KeySet,
  changed: (keys: KeySet) => void,
  failed: (error: Error) => void,
): Promise<() => void> {
  const key = keysKey(prefix);
  const subscriber = redis.duplicate({ enableOfflineQueue: true });
  const kidsOf = (keys: KeySet) => keys.signing.map((signing) => signing.kid).join(' ');
  let kids = kidsOf(current);
  const reread = async () => {
    try {
      const text = await redis.get(key);
      if (text === null) {
        // Redis came back without its data: put the keys every instance signs with back, for instances started later.
        await redis.set(key, JSON.stringify(current), 'NX');
        return;
      }
      const keys = parseKeySet(text, `Redis key ${key}`);
      if (kidsOf(keys) === kids) return;
      kids = kidsOf(keys);
      current = keys;
      changed(keys);
    } catch (error) {
      failed(error as Error);
    }
  };
  subscriber.on('message', () => void reread());
  subscriber.on('ready', () => void reread());
  subscriber.on('error', () => {});
  await subscriber.subscribe(key);
  await reread();
  return () => subscriber.disconnect();
}
