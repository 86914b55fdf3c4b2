import { describe, expect, it } from 'vitest';
import { basic, bearer, BASE_CONFIG, expectAllowed, expectKapacitorError, harness, T0 } from './support/harness.js';
import { jwt } from './support/jwt.js';

const API = { '': ['KapacitorAPI'] };
const TASKS = '/kapacitor/v1/tasks';
const MINUTE = 60_000;

function metric(h: Awaited<ReturnType<typeof harness>>, name: string): number | undefined {
  return h.authenticator.metrics?.().find((m) => m.name === `kapacitor_${name}`)?.value;
}

describe('user cache (cache-expiration) and the password fast path', () => {
  it('a cached user is served without the directory until cache-expiration passes on the injected clock', async () => {
    const h = await harness();
    h.directory.addUser('alice', 'alice-pw', API);
    expectAllowed(await h.send({ path: TASKS, headers: basic('alice', 'alice-pw') }));
    h.clock.now += 10 * MINUTE - 1;
    expectAllowed(await h.send({ path: TASKS, headers: basic('alice', 'alice-pw') }));
    expect(h.directory.userCalls).toEqual(['alice']);
    h.clock.now += 1;
    expectAllowed(await h.send({ path: TASKS, headers: basic('alice', 'alice-pw') }));
    expect(h.directory.userCalls).toEqual(['alice', 'alice']);
  });

  it('a missing cache-expiration defaults to 10m, not Kapacitor zero (no cache)', async () => {
    const h = await harness({ config: { ...BASE_CONFIG, auth: { ...BASE_CONFIG.auth, 'cache-expiration': undefined } } });
    h.directory.addUser('alice', 'alice-pw', API);
    for (let i = 0; i < 3; i++) expectAllowed(await h.send({ path: TASKS, headers: basic('alice', 'alice-pw') }));
    h.clock.now += 9 * MINUTE;
    expectAllowed(await h.send({ path: TASKS, headers: basic('alice', 'alice-pw') }));
    expect(h.directory.userCalls).toEqual(['alice']);
  });

  it('repeated Basic credentials skip bcrypt: one bcrypt check, then fast-path hits', async () => {
    const h = await harness();
    h.directory.addUser('alice', 'alice-pw', API);
    for (let i = 0; i < 5; i++) expectAllowed(await h.send({ path: TASKS, headers: basic('alice', 'alice-pw') }));
    expect(metric(h, 'bcrypt_checks_total')).toBe(1);
    expect(metric(h, 'password_cache_hits_total')).toBe(4);
    expect(metric(h, 'user_cache_hits_total')).toBe(4);
    expect(metric(h, 'user_cache_misses_total')).toBe(1);
    expect(metric(h, 'directory_calls_total')).toBe(1);
  });

  it('stale password: once the directory returns a new hash, the old password fails at once (Kapacitor: up to 1 h)', async () => {
    const h = await harness();
    h.directory.addUser('alice', 'old-pw', API);
    expectAllowed(await h.send({ path: TASKS, headers: basic('alice', 'old-pw') }));
    h.directory.changePassword('alice', 'new-pw');
    // Past cache-expiration, well inside Kapacitor's one-hour fast path.
    h.clock.now += 11 * MINUTE;
    expectKapacitorError(await h.send({ path: TASKS, headers: basic('alice', 'old-pw') }), 401, 'authorization failed');
    expectAllowed(await h.send({ path: TASKS, headers: basic('alice', 'new-pw') }), 'alice');
  });

  it('a new password works on the first try even while the old hash is cached: one fresh read before refusing', async () => {
    const h = await harness();
    h.directory.addUser('alice', 'old-pw', API);
    expectAllowed(await h.send({ path: TASKS, headers: basic('alice', 'old-pw') }));
    h.directory.changePassword('alice', 'new-pw');
    expectAllowed(await h.send({ path: TASKS, headers: basic('alice', 'new-pw') }), 'alice');
    expectKapacitorError(await h.send({ path: TASKS, headers: basic('alice', 'old-pw') }), 401, 'authorization failed');
  });

  it('a bcrypt failure evicts the cached user: the next request reads the directory again', async () => {
    const h = await harness();
    h.directory.addUser('alice', 'alice-pw', API);
    await h.send({ path: TASKS, headers: basic('alice', 'wrong') });
    const calls = h.directory.userCalls.length;
    expectAllowed(await h.send({ path: TASKS, headers: basic('alice', 'alice-pw') }));
    expect(h.directory.userCalls.length).toBe(calls + 1);
  });

  it('revoked privileges apply once cache-expiration has passed', async () => {
    const h = await harness();
    h.directory.addUser('alice', 'alice-pw', API);
    expectAllowed(await h.send({ path: TASKS, headers: basic('alice', 'alice-pw') }));
    h.directory.users.set('alice', { ...h.directory.users.get('alice')!, permissions: {} });
    h.clock.now += 10 * MINUTE;
    expectKapacitorError(await h.send({ path: TASKS, headers: basic('alice', 'alice-pw') }), 403, `user alice does not have "read" privilege for API endpoint "${TASKS}"`);
  });

  it('the user cache is bounded: the least recently used user is dropped', async () => {
    const h = await harness({ config: { ...BASE_CONFIG, 'user-cache-size': 2 } });
    for (const name of ['a', 'b', 'c']) h.directory.addUser(name, `${name}-pw`, API);
    for (const name of ['a', 'b', 'a', 'c', 'a', 'b']) await h.send({ path: TASKS, headers: basic(name, `${name}-pw`) });
    // a stays (recently used), b is dropped when c arrives, so b is read twice.
    expect(h.directory.userCalls).toEqual(['a', 'b', 'c', 'b']);
  });
});

describe('users the directory checks itself (no hash: Enterprise LDAP users)', () => {
  it('a user without a hash is checked by the directory on every request: a password changed there fails on the very next one', async () => {
    const h = await harness();
    h.directory.addLdapUser('lara', 'lara-pw', API);
    expectAllowed(await h.send({ path: TASKS, headers: basic('lara', 'lara-pw') }), 'lara');
    expectAllowed(await h.send({ path: TASKS, headers: basic('lara', 'lara-pw') }), 'lara');
    expect(h.directory.checkCalls).toEqual(['lara', 'lara']);
    h.directory.ldapPasswords.set('lara', 'changed');
    expectKapacitorError(await h.send({ path: TASKS, headers: basic('lara', 'lara-pw') }), 401, 'authorization failed');
    expectAllowed(await h.send({ path: TASKS, headers: basic('lara', 'changed') }), 'lara');
    expect(metric(h, 'bcrypt_checks_total')).toBe(0);
  });

  it('concurrent requests with the same name and password share one directory check', async () => {
    const h = await harness();
    h.directory.addLdapUser('lara', 'lara-pw', API);
    expectAllowed(await h.send({ path: TASKS, headers: basic('lara', 'lara-pw') }), 'lara');
    const before = h.directory.checkCalls.length;
    const decisions = await Promise.all(Array.from({ length: 10 }, () => h.send({ path: TASKS, headers: basic('lara', 'lara-pw') })));
    for (const decision of decisions) expectAllowed(decision, 'lara');
    expect(h.directory.checkCalls.length - before).toBe(1);
  });

  it('a wrong password is refused by the directory and not cached', async () => {
    const h = await harness();
    h.directory.addLdapUser('lara', 'lara-pw', API);
    expectKapacitorError(await h.send({ path: TASKS, headers: basic('lara', 'nope') }), 401, 'authorization failed');
    expectAllowed(await h.send({ path: TASKS, headers: basic('lara', 'lara-pw') }), 'lara');
  });
});

describe('single flight and the negative cache', () => {
  it('N concurrent first requests for one user make one directory call', async () => {
    const h = await harness();
    h.directory.addUser('alice', 'alice-pw', API);
    h.directory.hold();
    const pending = Array.from({ length: 20 }, () => h.send({ path: TASKS, headers: basic('alice', 'alice-pw') }));
    await Promise.resolve();
    h.directory.release();
    for (const decision of await Promise.all(pending)) expectAllowed(decision, 'alice');
    expect(h.directory.userCalls).toEqual(['alice']);
  });

  it('one request giving up does not fail the others waiting on the same lookup', async () => {
    const h = await harness();
    h.directory.addUser('alice', 'alice-pw', API);
    h.directory.hold();
    const impatient = new AbortController();
    const first = h.send({ path: TASKS, headers: basic('alice', 'alice-pw'), signal: impatient.signal });
    const second = h.send({ path: TASKS, headers: basic('alice', 'alice-pw') });
    impatient.abort();
    h.directory.release();
    expect(await first).toMatchObject({ allow: false, status: 503 });
    expectAllowed(await second, 'alice');
    expect(h.directory.userCalls).toEqual(['alice']);
  });

  it('an unknown user is remembered briefly: a burst costs one directory call', async () => {
    const h = await harness();
    for (let i = 0; i < 5; i++) expectKapacitorError(await h.send({ path: TASKS, headers: basic('ghost', 'x') }), 401, 'authorization failed');
    expect(h.directory.userCalls).toEqual(['ghost']);
    expect(metric(h, 'negative_cache_hits_total')).toBe(4);
  });

  it('the negative cache expires (5s by default), so a newly created user gets in', async () => {
    const h = await harness();
    await h.send({ path: TASKS, headers: basic('newbie', 'pw') });
    h.directory.addUser('newbie', 'pw', API);
    expectKapacitorError(await h.send({ path: TASKS, headers: basic('newbie', 'pw') }), 401, 'authorization failed');
    h.clock.now += 5_000;
    expectAllowed(await h.send({ path: TASKS, headers: basic('newbie', 'pw') }), 'newbie');
  });
});

describe('a directory that cannot be reached', () => {
  it('503 in Kapacitor shape, logged, counted; never the client fault', async () => {
    const h = await harness();
    h.directory.addUser('alice', 'alice-pw', API);
    h.directory.down = true;
    expectKapacitorError(await h.send({ path: TASKS, headers: basic('alice', 'alice-pw') }), 503, 'unable to reach the user directory');
    expect(h.logs).toEqual([
      { event: 'kapacitor.directory_unavailable', fields: { directory: 'http://meta.test:8091', error: 'connect ECONNREFUSED http://meta.test:8091' } },
    ]);
    expect(metric(h, 'directory_errors_total')).toBe(1);
  });

  it('bearer lookups and LDAP password checks answer 503 too', async () => {
    const h = await harness();
    h.directory.addLdapUser('lara', 'lara-pw', API);
    h.directory.addUser('alice', 'alice-pw', API);
    await h.send({ path: TASKS, headers: basic('lara', 'wrong') });
    h.directory.down = true;
    expectKapacitorError(await h.send({ path: TASKS, headers: basic('lara', 'lara-pw') }), 503, 'unable to reach the user directory');
    const token = jwt({ alg: 'HS256' }, { username: 'alice', exp: T0 / 1000 + 60 }, 'kapacitor-shared-secret');
    expectKapacitorError(await h.send({ path: TASKS, headers: bearer(token) }), 503, 'unable to reach the user directory');
  });

  it('bad input still gets its 4xx while the directory is down', async () => {
    const h = await harness();
    h.directory.down = true;
    expectKapacitorError(await h.send({ path: TASKS }), 401, 'unable to parse authentication credentials');
    expectKapacitorError(await h.send({ path: TASKS, headers: bearer('x') }), 401, 'invalid token: token contains an invalid number of segments');
  });
});
