import { AuthError } from '@auth/core';
import type { Redis } from 'ioredis';
import type { SigningAlg } from '../config/schema.js';
import { loadOrCreateKeys, newSigningKey, parseKeySet, withoutSigningKey, type KeySet, type SigningKey } from '../keys/key-store.js';

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

/** Replaces the shared key set with `change(current)` in one transaction and announces it; returns what was written. */
async function updateSharedKeys(redis: Redis, prefix: string, change: (keys: KeySet, where: string) => KeySet | Promise<KeySet>): Promise<KeySet> {
  const key = keysKey(prefix);
  const where = `Redis key ${key}`;
  for (;;) {
    await redis.watch(key);
    const text = await redis.get(key);
    if (text === null) {
      await redis.unwatch();
      throw new AuthError('USAGE', `there is no key set at ${where}`, { hint: 'start auth-server with this state once first: it seeds the keys' });
    }
    let next: KeySet;
    try {
      next = await change(parseKeySet(text, where), where);
    } catch (error) {
      await redis.unwatch();
      throw error;
    }
    const done = await redis.multi().set(key, JSON.stringify(next)).publish(key, next.signing[0]!.kid).exec();
    // null: another change came first; start again from it.
    if (done !== null) return next;
  }
}

/** Adds a new signing key in front (it signs from now on, on every instance); older keys keep verifying. */
export async function rotateSharedSigningKey(redis: Redis, prefix: string): Promise<SigningKey> {
  const keys = await updateSharedKeys(redis, prefix, async (keys) => ({ ...keys, signing: [await newSigningKey(keys.signing[0]!.alg), ...keys.signing] }));
  return keys.signing[0]!;
}

/** Removes a verification-only key from the shared JWKS, on every instance. */
export async function retireSharedSigningKey(redis: Redis, prefix: string, kid: string, option: string): Promise<void> {
  await updateSharedKeys(redis, prefix, (keys, where) => withoutSigningKey(keys, kid, where, option));
}

export async function readSharedKeys(redis: Redis, prefix: string): Promise<KeySet | undefined> {
  const text = await redis.get(keysKey(prefix));
  return text === null ? undefined : parseKeySet(text, `Redis key ${keysKey(prefix)}`);
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
