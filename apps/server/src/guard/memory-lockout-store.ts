import { forgetAfterMs, lockedUntil, type FailureRecord, type LockoutPolicy } from './lockout-policy.js';
import type { LockoutStore, LockoutVerdict } from './lockout-store.js';

/** Keys tracked at most; past it the least recently failed key is forgotten first. */
export const DEFAULT_TRACKED_KEYS = 10_000;

/**
 * Failure counts of one process, in a Map used as an LRU list (a Map
 * iterates in insertion order; a key is moved to the end on each failure).
 * The cap keeps a flood of made-up usernames from growing memory without
 * bound; the per-address limit keeps one address from cycling the list.
 */
export class MemoryLockoutStore implements LockoutStore {
  readonly #records = new Map<string, FailureRecord>();

  constructor(private readonly maxKeys = DEFAULT_TRACKED_KEYS) {}

  async attempt(key: string, now: number, policy: LockoutPolicy): Promise<LockoutVerdict> {
    let record = this.#records.get(key);
    if (record && now - record.lastFailureAt >= forgetAfterMs(policy)) record = undefined;
    const until = lockedUntil(record, policy);
    if (now < until) return { admitted: false, lockedUntil: until };
    this.#records.delete(key);
    this.#records.set(key, { failures: (record?.failures ?? 0) + 1, lastFailureAt: now });
    if (this.#records.size > this.maxKeys) this.#records.delete(this.#records.keys().next().value!);
    return { admitted: true };
  }

  async release(key: string): Promise<void> {
    const record = this.#records.get(key);
    if (!record) return;
    if (record.failures <= 1) this.#records.delete(key);
    else record.failures -= 1;
  }

  async clear(key: string): Promise<void> {
    this.#records.delete(key);
  }

  /** How many keys are tracked (for tests of the cap). */
  get size(): number {
    return this.#records.size;
  }
}
