import type { LockoutPolicy } from './lockout-policy.js';

/**
 * Where failure counts live. The embedded server keeps them in memory
 * (`MemoryLockoutStore`); several instances behind one address will share
 * them in Redis, where each method becomes one Lua script so that two
 * instances cannot both admit the attempt that should have been locked.
 *
 * An admitted attempt is pending until it is settled: `fail` (a wrong
 * credential), `release` (right, or not checked after all) or `clear`.
 */
export interface LockoutStore {
  /**
   * Atomically: refuse if `key` is locked at `now`, or if it has failed
   * before and the attempts still pending would use up what is left of its
   * free failures (one at a time once they are used up), so parallel
   * guesses meet the lock as surely as sequential ones; otherwise count one
   * more pending attempt and admit.
   * A key with no failures admits any number of parallel attempts: a busy
   * client with the right secret is never refused for its own concurrency.
   */
  attempt(key: string, now: number, policy: LockoutPolicy): Promise<LockoutVerdict>;
  /** Settles one pending attempt as a failure at `now`. */
  fail(key: string, now: number): Promise<void>;
  /** Settles one pending attempt as no failure. */
  release(key: string): Promise<void>;
  /** Settles one pending attempt and forgets `key`'s failures (its credential was right). */
  clear(key: string): Promise<void>;
}

export type LockoutVerdict = { admitted: true } | { admitted: false; lockedUntil: number };
