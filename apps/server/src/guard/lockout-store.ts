import type { LockoutPolicy } from './lockout-policy.js';

/**
 * Where failure counts live. The embedded server keeps them in memory
 * (`MemoryLockoutStore`); several instances behind one address will share
 * them in Redis, where `attempt` becomes one Lua script so that two
 * instances cannot both admit the attempt that should have been locked.
 */
export interface LockoutStore {
  /**
   * Atomically: if `key` is locked at `now`, refuse; otherwise count one
   * more failure at `now` and admit. The failure is counted before the
   * credential is checked, so parallel guesses meet the lock as surely as
   * sequential ones; a correct credential then calls `clear`.
   */
  attempt(key: string, now: number, policy: LockoutPolicy): Promise<LockoutVerdict>;
  /** Takes back the failure one admitted attempt counted (its credential was right). */
  release(key: string): Promise<void>;
  /** Forgets `key`'s failures. */
  clear(key: string): Promise<void>;
}

export type LockoutVerdict = { admitted: true } | { admitted: false; lockedUntil: number };
