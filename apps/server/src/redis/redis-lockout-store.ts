import type { Redis } from 'ioredis';
import { StateUnavailable } from '../issuer/state-unavailable.js';
import { forgetAfterMs, type LockoutPolicy } from '../guard/lockout-policy.js';
import type { LockoutStore, LockoutVerdict } from '../guard/lockout-store.js';
import { orUnavailable } from './redis-connection.js';

/**
 * How long an admitted attempt counts as pending. A check ends well within
 * it (the slowest, a machine login, gives its verifier 10 s); an attempt
 * still unsettled after it belonged to an instance that died mid-check, and
 * must not hold the key's last free failure until the key is forgotten.
 */
export const PENDING_ATTEMPT_MS = 30_000;

/**
 * Failure counts shared by every instance: each method is one Lua script,
 * so two instances cannot both admit the attempt that should have been
 * refused (the rules are MemoryLockoutStore's and lockout-policy.ts's).
 * A key is a hash (`f` failures, `l` last failure, `n` pending attempts,
 * `p` when they stop counting, `t` how long to remember it) that expires
 * `t` ms after its last change.
 */

const ATTEMPT = `
local now, free, first, max, forget, pending = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local exists = redis.call('EXISTS', KEYS[1]) == 1
local f = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')
local l = tonumber(redis.call('HGET', KEYS[1], 'l') or ARGV[1])
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if now >= tonumber(redis.call('HGET', KEYS[1], 'p') or '0') then n = 0 end
if f > 0 and now - l >= forget then f = 0 end
if f >= free then
  local locked = l + math.min(first * 2 ^ math.min(f - free, 52), max)
  if now < locked then return {0, locked} end
end
if exists and f > 0 and n >= math.max(1, free - f) then return {0, now + first} end
redis.call('HSET', KEYS[1], 'f', f, 'l', l, 'n', n + 1, 'p', now + pending, 't', forget)
redis.call('PEXPIRE', KEYS[1], forget)
return {1, 0}
`;

const FAIL = `
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '1')
local f = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')
local forget = tonumber(redis.call('HGET', KEYS[1], 't') or ARGV[2])
redis.call('HSET', KEYS[1], 'f', f + 1, 'l', ARGV[1], 'n', math.max(0, n - 1), 't', forget)
redis.call('PEXPIRE', KEYS[1], forget)
return 1
`;

/** ARGV[1] = '1' also forgets the failures (a right credential). */
const SETTLE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = math.max(0, tonumber(redis.call('HGET', KEYS[1], 'n') or '0') - 1)
local f = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')
if ARGV[1] == '1' then f = 0 end
if n == 0 and f == 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'n', n, 'f', f)
end
return 1
`;

type Scripted = Redis & {
  lockoutAttempt(key: string, ...args: number[]): Promise<[number, number]>;
  lockoutFail(key: string, ...args: number[]): Promise<number>;
  lockoutSettle(key: string, clear: string): Promise<number>;
};

export class RedisLockoutStore implements LockoutStore {
  readonly #redis: Scripted;

  /** `defaultForgetMs`: how long a failure is remembered when it comes without an admitted attempt (its policy unknown). */
  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly defaultForgetMs: number,
  ) {
    redis.defineCommand('lockoutAttempt', { lua: ATTEMPT, numberOfKeys: 1 });
    redis.defineCommand('lockoutFail', { lua: FAIL, numberOfKeys: 1 });
    redis.defineCommand('lockoutSettle', { lua: SETTLE, numberOfKeys: 1 });
    this.#redis = redis as Scripted;
  }

  async attempt(key: string, now: number, policy: LockoutPolicy): Promise<LockoutVerdict> {
    const [admitted, lockedUntil] = await this.#guarded(() =>
      this.#redis.lockoutAttempt(this.#key(key), now, policy.freeFailures, policy.firstLockMs, policy.maxLockMs, forgetAfterMs(policy), PENDING_ATTEMPT_MS),
    );
    return admitted === 1 ? { admitted: true } : { admitted: false, lockedUntil };
  }

  async fail(key: string, now: number): Promise<void> {
    await this.#guarded(() => this.#redis.lockoutFail(this.#key(key), now, this.defaultForgetMs));
  }

  async release(key: string): Promise<void> {
    await this.#guarded(() => this.#redis.lockoutSettle(this.#key(key), '0'));
  }

  async clear(key: string): Promise<void> {
    await this.#guarded(() => this.#redis.lockoutSettle(this.#key(key), '1'));
  }

  #key(key: string): string {
    return `${this.prefix}lockout:${key}`;
  }

  #guarded<T>(call: () => Promise<T>): Promise<T> {
    return orUnavailable(call, () => new StateUnavailable());
  }
}
