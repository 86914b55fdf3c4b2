import { forgetAfterMs, lockedUntil, type FailureRecord, type LockoutPolicy } from './lockout-policy.js';
import type { LockoutStore, LockoutVerdict } from './lockout-store.js';

/** Keys tracked at most; past it the least recently failed key is forgotten first. */
export const DEFAULT_TRACKED_KEYS = 10_000;

interface TrackedKey extends FailureRecord {
  /** Admitted attempts not settled yet. */
  pending: number;
}

/**
 * Failure counts of one process, in a Map used as an LRU list (a Map
 * iterates in insertion order; a key is moved to the end on each attempt).
 * The cap keeps a flood of made-up usernames from growing memory without
 * bound; the per-address limit keeps one address from cycling the list.
 */
export class MemoryLockoutStore implements LockoutStore {
  readonly #records = new Map<string, TrackedKey>();

  constructor(private readonly maxKeys = DEFAULT_TRACKED_KEYS) {}

  async attempt(key: string, now: number, policy: LockoutPolicy): Promise<LockoutVerdict> {
    const record = this.#records.get(key);
    if (record && record.failures > 0 && now - record.lastFailureAt >= forgetAfterMs(policy)) record.failures = 0;
    const until = lockedUntil(record, policy);
    if (now < until) return { admitted: false, lockedUntil: until };
    // Once a key has failed, checks under way count against what is left of its free failures (one at a time past them).
    const inFlightAllowed = record === undefined || record.failures === 0 ? Infinity : Math.max(1, policy.freeFailures - record.failures);
    if (record && record.pending >= inFlightAllowed) return { admitted: false, lockedUntil: now + policy.firstLockMs };
    const tracked = record ?? { failures: 0, lastFailureAt: now, pending: 0 };
    tracked.pending += 1;
    this.#records.delete(key);
    this.#records.set(key, tracked);
    if (this.#records.size > this.maxKeys) this.#records.delete(this.#records.keys().next().value!);
    return { admitted: true };
  }

  async fail(key: string, now: number): Promise<void> {
    const record = this.#records.get(key) ?? { failures: 0, lastFailureAt: now, pending: 1 };
    record.pending = Math.max(0, record.pending - 1);
    record.failures += 1;
    record.lastFailureAt = now;
    this.#records.delete(key);
    this.#records.set(key, record);
    if (this.#records.size > this.maxKeys) this.#records.delete(this.#records.keys().next().value!);
  }

  async release(key: string): Promise<void> {
    const record = this.#records.get(key);
    if (!record) return;
    record.pending = Math.max(0, record.pending - 1);
    if (record.pending === 0 && record.failures === 0) this.#records.delete(key);
  }

  async clear(key: string): Promise<void> {
    const record = this.#records.get(key);
    if (!record) return;
    record.failures = 0;
    await this.release(key);
  }

  /** How many keys are tracked (for tests of the cap). */
  get size(): number {
    return this.#records.size;
  }
}
