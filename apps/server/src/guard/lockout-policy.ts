/**
 * When repeated failures lock a key (an account, a client, a client
 * address): the first `freeFailures` failures cost nothing, each failure
 * after that locks the key for `firstLockMs`, doubling up to `maxLockMs`
 * (OWASP Authentication Cheat Sheet, "Account Lockout"; NIST SP 800-63B §5.2.2,
 * rate limiting).
 */
export interface LockoutPolicy {
  freeFailures: number;
  firstLockMs: number;
  maxLockMs: number;
}

/** What a store keeps per key: enough to recompute the lock, nothing about the credential tried. */
export interface FailureRecord {
  failures: number;
  lastFailureAt: number;
}

/** Epoch ms until which `record` locks its key (0: not locked). */
export function lockedUntil(record: FailureRecord | undefined, policy: LockoutPolicy): number {
  if (!record || record.failures < policy.freeFailures) return 0;
  const doublings = Math.min(record.failures - policy.freeFailures, 52);
  return record.lastFailureAt + Math.min(policy.firstLockMs * 2 ** doublings, policy.maxLockMs);
}

/**
 * How long a store remembers a key after its last failure. Longer than the
 * longest lock, so that waiting out a lock does not also wipe the count
 * and hand out a fresh set of free failures.
 */
export function forgetAfterMs(policy: LockoutPolicy): number {
  return 2 * policy.maxLockMs;
}
