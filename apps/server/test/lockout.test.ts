import { describe, expect, test } from 'vitest';
import { clientAddressKey } from '../src/guard/client-address.js';
import { accountSubject, clientSubject, Lockout, type LockoutPolicies } from '../src/guard/lockout.js';
import { lockedUntil, type LockoutPolicy } from '../src/guard/lockout-policy.js';
import { MemoryLockoutStore } from '../src/guard/memory-lockout-store.js';

const POLICY: LockoutPolicy = { freeFailures: 5, firstLockMs: 1000, maxLockMs: 15 * 60_000 };
const POLICIES: LockoutPolicies = { subject: POLICY, address: { ...POLICY, freeFailures: 20 } };

/** A lockout on a clock the test moves by hand. */
function lockoutAt(start = 1_700_000_000_000, policies = POLICIES, store = new MemoryLockoutStore()) {
  const clock = { now: start };
  return { lockout: new Lockout(store, policies, () => clock.now), clock, store };
}

/** `n` admitted checks that fail (the credential was wrong). */
async function fail(lockout: Lockout, subject: ReturnType<typeof accountSubject>, address: string, n: number) {
  for (let i = 0; i < n; i++) {
    expect(await lockout.admit(subject, address)).toBe('admitted');
    await lockout.failed(subject, address);
  }
}

const demo = accountSubject('demo');

describe('lockout policy', () => {
  test('after 5 failures the lock is 1 s, doubling with each further failure up to 15 min', () => {
    const at = (failures: number) => lockedUntil({ failures, lastFailureAt: 0 }, POLICY);
    expect([4, 5, 6, 7, 8].map(at)).toEqual([0, 1000, 2000, 4000, 8000]);
    expect(at(15)).toBe(15 * 60_000);
    expect(at(10_000)).toBe(15 * 60_000);
  });
});

describe('Lockout (per account or client, per client address)', () => {
  test('the sixth check after five failures is refused, and admitted again once the lock has expired', async () => {
    const { lockout, clock } = lockoutAt();
    await fail(lockout, demo, '192.0.2.1', 5);
    expect(await lockout.admit(demo, '192.0.2.1')).toBe('subject locked');
    clock.now += 999;
    expect(await lockout.admit(demo, '192.0.2.1')).toBe('subject locked');
    clock.now += 1;
    expect(await lockout.admit(demo, '192.0.2.1')).toBe('admitted');
  });

  test('each failure after the lock doubles it; refused checks do not lengthen it', async () => {
    const { lockout, clock } = lockoutAt();
    await fail(lockout, demo, '192.0.2.1', 5);
    clock.now += 1000;
    await fail(lockout, demo, '192.0.2.1', 1);
    for (let i = 0; i < 10; i++) expect(await lockout.admit(demo, '192.0.2.1')).toBe('subject locked');
    clock.now += 1999;
    expect(await lockout.admit(demo, '192.0.2.1')).toBe('subject locked');
    clock.now += 1;
    expect(await lockout.admit(demo, '192.0.2.1')).toBe('admitted');
  });

  test('the account is locked from every address, not only from the guessing one', async () => {
    const { lockout } = lockoutAt();
    await fail(lockout, demo, '192.0.2.1', 5);
    expect(await lockout.admit(demo, '198.51.100.7')).toBe('subject locked');
  });

  test('a correct password resets the account count', async () => {
    const { lockout } = lockoutAt();
    await fail(lockout, demo, '192.0.2.1', 4);
    expect(await lockout.admit(demo, '192.0.2.1')).toBe('admitted');
    await lockout.succeeded(demo, '192.0.2.1');
    await fail(lockout, demo, '192.0.2.1', 5);
    expect(await lockout.admit(demo, '192.0.2.1')).toBe('subject locked');
  });

  test('usernames are counted case- and width-insensitively', async () => {
    const { lockout } = lockoutAt();
    await fail(lockout, accountSubject('Demo'), '192.0.2.1', 3);
    await fail(lockout, accountSubject(' ｄｅｍｏ'), '192.0.2.1', 2);
    expect(await lockout.admit(demo, '192.0.2.1')).toBe('subject locked');
    expect(accountSubject('demo')).not.toContain('demo');
  });

  test('an address that fails 20 times over many accounts is locked, other addresses and its accounts elsewhere are not', async () => {
    const { lockout } = lockoutAt();
    for (let i = 0; i < 20; i++) await fail(lockout, accountSubject(`user${i}`), '192.0.2.1', 1);
    expect(await lockout.admit(accountSubject('alice'), '192.0.2.1')).toBe('address locked');
    expect(await lockout.admit(accountSubject('alice'), '198.51.100.7')).toBe('admitted');
    expect(await lockout.admit(clientSubject('svc'), '198.51.100.7')).toBe('admitted');
  });

  test('successful sign-ins never add up to an address lock, and do not clear the address failures', async () => {
    const { lockout } = lockoutAt();
    for (let i = 0; i < 50; i++) {
      expect(await lockout.admit(demo, '192.0.2.1')).toBe('admitted');
      await lockout.succeeded(demo, '192.0.2.1');
    }
    for (let i = 0; i < 19; i++) await fail(lockout, accountSubject(`user${i}`), '192.0.2.1', 1);
    expect(await lockout.admit(demo, '192.0.2.1')).toBe('admitted');
    await lockout.succeeded(demo, '192.0.2.1');
    await fail(lockout, accountSubject('user19'), '192.0.2.1', 1);
    expect(await lockout.admit(accountSubject('user20'), '192.0.2.1')).toBe('address locked');
  });

  test('once a key has failed, parallel checks meet the lock: only the free failures left are admitted', async () => {
    const { lockout } = lockoutAt();
    await fail(lockout, demo, '192.0.2.1', 1);
    const verdicts = await Promise.all(Array.from({ length: 50 }, () => lockout.admit(demo, '198.51.100.7')));
    expect(verdicts.filter((v) => v === 'admitted')).toHaveLength(4);
  });

  test('a busy client with the right secret is never refused for its own concurrency', async () => {
    const { lockout } = lockoutAt();
    const svc = clientSubject('svc');
    for (let round = 0; round < 3; round++) {
      const verdicts = await Promise.all(Array.from({ length: 50 }, () => lockout.admit(svc, '192.0.2.1')));
      expect(verdicts.every((v) => v === 'admitted')).toBe(true);
      for (let i = 0; i < 50; i++) await lockout.succeeded(svc, '192.0.2.1');
    }
    // A burst of wrong secrets against a key that never failed is checked, and its failures lock at once for longer.
    const burst = await Promise.all(Array.from({ length: 8 }, () => lockout.admit(svc, '198.51.100.7')));
    expect(burst.every((v) => v === 'admitted')).toBe(true);
    for (let i = 0; i < 8; i++) await lockout.failed(svc, '198.51.100.7');
    expect(await lockout.admitUntil(svc, '203.0.113.9')).toEqual({ admission: 'subject locked', lockedUntil: 1_700_000_000_000 + 8000 });
  });

  test('a check that could not be made (abandoned) is no failure', async () => {
    const { lockout } = lockoutAt();
    for (let i = 0; i < 10; i++) {
      expect(await lockout.admit(demo, '192.0.2.1')).toBe('admitted');
      await lockout.abandoned(demo, '192.0.2.1');
    }
    await fail(lockout, demo, '192.0.2.1', 4);
    expect(await lockout.admit(demo, '192.0.2.1')).toBe('admitted');
  });

  test('failures are forgotten after twice the longest lock without one; waiting out a lock is not enough', async () => {
    const { lockout, clock } = lockoutAt();
    await fail(lockout, demo, '192.0.2.1', 5);
    clock.now += 1000;
    await fail(lockout, demo, '192.0.2.1', 1);
    clock.now += 2000;
    await fail(lockout, demo, '192.0.2.1', 1);
    expect(await lockout.admit(demo, '192.0.2.1')).toBe('subject locked');
    clock.now += 2 * 15 * 60_000;
    await fail(lockout, demo, '192.0.2.1', 5);
    expect(await lockout.admit(demo, '192.0.2.1')).toBe('subject locked');
  });

  test('the memory store tracks at most its cap of keys, forgetting the least recently failed first', async () => {
    const store = new MemoryLockoutStore(100);
    const { lockout } = lockoutAt(undefined, { subject: POLICY, address: { ...POLICY, freeFailures: 1_000_000 } }, store);
    await fail(lockout, demo, '192.0.2.1', 5);
    for (let i = 0; i < 500; i++) await fail(lockout, accountSubject(`flood${i}`), `10.0.${i >> 8}.${i & 255}`, 1);
    expect(store.size).toBeLessThanOrEqual(100);
    expect(await lockout.admit(demo, '192.0.2.1')).toBe('admitted');
  });
});

describe('client address keys', () => {
  test('an IPv4-mapped IPv6 address counts as the IPv4 address', () => {
    expect(clientAddressKey('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(clientAddressKey('127.0.0.2')).toBe('127.0.0.2');
  });

  test('IPv6 addresses count per /64', () => {
    expect(clientAddressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});
