import type { DirectoryUser } from '@auth/provider-influx-meta';
import type { Counters } from './counters.js';
import { kapacitorUser, type KapacitorUser } from './privileges.js';

/** A directory answer as the authenticator uses it: the record (for its hash) and the privileges derived from it. */
export interface CachedUser {
  readonly record: DirectoryUser;
  readonly user: KapacitorUser;
}

export interface UserLookup {
  /** Undefined: the directory has no such user. */
  readonly found: CachedUser | undefined;
  /** Served from the cache rather than a directory call made for this request. */
  readonly cached: boolean;
}

export interface UserCacheOptions {
  /** `cache-expiration`; 0 keeps nothing (every lookup asks the directory, concurrent ones share a call). */
  readonly ttlMs: number;
  /** How long an unknown user is remembered, so a flood of one bad name costs one directory call. */
  readonly negativeTtlMs: number;
  readonly maxEntries: number;
  readonly now: () => number;
  readonly load: (name: string) => Promise<DirectoryUser | undefined>;
  readonly counters: Counters;
}

type Slot = { readonly found: CachedUser | undefined; readonly expiresAt: number };

/**
 * Kapacitor's user cache (`services/auth/cache.go`), bounded (least recently
 * used entries go first) and single-flight: concurrent first requests for a
 * user share one directory call, which matters because an unknown user costs
 * Kapacitor's meta client about 10 s of retries.
 */
export class UserCache {
  readonly #slots = new Map<string, Slot>();
  readonly #inflight = new Map<string, Promise<CachedUser | undefined>>();
  readonly #options: UserCacheOptions;

  constructor(options: UserCacheOptions) {
    this.#options = options;
  }

  async lookup(name: string, signal: AbortSignal): Promise<UserLookup> {
    const slot = this.#slots.get(name);
    if (slot && slot.expiresAt > this.#options.now()) {
      this.#slots.delete(name);
      this.#slots.set(name, slot);
      this.#options.counters.add(slot.found ? 'user_cache_hits_total' : 'negative_cache_hits_total');
      return { found: slot.found, cached: true };
    }
    if (slot) this.#slots.delete(name);
    this.#options.counters.add('user_cache_misses_total');
    let pending = this.#inflight.get(name);
    if (!pending) {
      pending = this.#fetch(name).finally(() => this.#inflight.delete(name));
      this.#inflight.set(name, pending);
    }
    return { found: await abortable(pending, signal), cached: false };
  }

  evict(name: string): void {
    this.#slots.delete(name);
  }

  async #fetch(name: string): Promise<CachedUser | undefined> {
    const record = await this.#options.load(name);
    const found = record ? { record, user: kapacitorUser(record) } : undefined;
    const ttl = found ? this.#options.ttlMs : this.#options.negativeTtlMs;
    if (ttl > 0) {
      this.#slots.set(name, { found, expiresAt: this.#options.now() + ttl });
      if (this.#slots.size > this.#options.maxEntries) {
        const oldest = this.#slots.keys().next().value;
        if (oldest !== undefined) this.#slots.delete(oldest);
      }
    }
    return found;
  }
}

/** A shared directory call outlives one request's abort; that request alone stops waiting. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
