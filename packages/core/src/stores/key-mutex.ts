import { AsyncLocalStorage } from 'node:async_hooks';

/** `fn` learns whether it runs nested inside a section that already holds `key`. */
export type KeyedMutex = <T>(key: string, fn: (reentered: boolean) => Promise<T>) => Promise<T>;

/**
 * Serialises work per key inside one process. Re-entrant: code already
 * running under the lock for a key (in the same async context) may take it
 * again without deadlocking, so a locked section can call helpers that lock.
 */
export function createKeyedMutex(): KeyedMutex {
  const tails = new Map<string, Promise<void>>();
  const held = new AsyncLocalStorage<ReadonlySet<string>>();

  return async function withKey<T>(key: string, fn: (reentered: boolean) => Promise<T>): Promise<T> {
    const holding = held.getStore();
    if (holding?.has(key)) return fn(true);

    const previous = tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    tails.set(key, tail);
    await previous;
    try {
      return await held.run(new Set([...(holding ?? []), key]), () => fn(false));
    } finally {
      release();
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
