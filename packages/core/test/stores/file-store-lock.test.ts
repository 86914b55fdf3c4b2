import { existsSync } from 'node:fs';
import { mkdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../src/errors.js';
import { createFileStore } from '../../src/stores/file-store.js';
import { fixture, runFixture, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

describe('file store lock across processes', () => {
  it('excludes: 4 processes doing 25 locked read-increment-writes each leave the counter at 100', async () => {
    const dir = await tempDir();
    const children = Array.from({ length: 4 }, () => runFixture(fixture('stores', 'lock-counter.mjs'), [dir, 'counter', '25']));
    const results = await Promise.all(children.map((c) => c.exited));
    for (const result of results) expect(result).toEqual({ code: 0, signal: null, stderr: '' });
    expect(await createFileStore({ dir }).get('counter')).toEqual({ kind: 'secret', value: '100' });
  });

  it('a waiter gives up after its bounded wait (60 s by default, on an injected clock) with STORE_UNAVAILABLE naming the lock', async () => {
    const dir = await tempDir();
    const holder = runFixture(fixture('stores', 'hold-lock.mjs'), [dir, 'dev', '30000']);
    try {
      await holder.waitForLine('locked');
      // Sleeping moves this clock forward at once: the whole minute of retries passes without waiting for it.
      let nowMs = Date.now();
      const slept: number[] = [];
      const clock = {
        nowMs: () => nowMs,
        sleep: async (ms: number) => {
          slept.push(ms);
          nowMs += ms;
        },
      };
      const error = await createFileStore({ dir, lock: { clock } })
        .withLock('dev', async () => 'never')
        .catch((e: unknown) => e);
      expect(AuthError.is(error) && error.code).toBe('STORE_UNAVAILABLE');
      expect((error as AuthError).message).toContain('timed out after 60 s');
      expect((error as AuthError).message).toContain('credential "dev"');
      expect((error as AuthError).message).toContain(join(dir, 'dev.lock'));
      const waited = slept.reduce((sum, ms) => sum + ms, 0);
      expect(waited).toBe(60_000);
      // Jittered back-off between 5 ms and 300 ms: it polls often enough to notice a release, and not in step with other waiters.
      expect(Math.min(...slept)).toBeGreaterThanOrEqual(5);
      expect(Math.max(...slept.slice(0, -1))).toBeLessThanOrEqual(300);
    } finally {
      holder.child.kill('SIGKILL');
      await holder.exited;
    }
  });

  it('recovers a stale lock: when the holder is SIGKILLed mid-lock, another process still acquires it', async () => {
    const dir = await tempDir();
    const holder = runFixture(fixture('stores', 'hold-lock.mjs'), [dir, 'dev', '2000']);
    await holder.waitForLine('locked');
    holder.child.kill('SIGKILL');
    expect((await holder.exited).signal).toBe('SIGKILL');
    // SIGKILL runs no exit handler: the dead holder's lock is still there to recover.
    expect(existsSync(join(dir, 'dev.lock'))).toBe(true);

    const waiter = runFixture(fixture('stores', 'try-lock.mjs'), [dir, 'dev', '2000', '15000']);
    await waiter.waitForLine('acquired');
    expect((await waiter.exited).code).toBe(0);
    expect(existsSync(join(dir, 'dev.lock'))).toBe(false);
  });
});

describe('file store lock with a clock gone wrong', () => {
  it('a lock whose mtime is in the future (a clock set back, a copied folder) is stale, not waited on', async () => {
    const dir = await tempDir();
    const lock = join(dir, 'dev.lock');
    await mkdir(lock);
    const inAnHour = new Date(Date.now() + 3_600_000);
    await utimes(lock, inAnHour, inAnHour);

    // Waiting for it to age would take an hour; the bound here fails the test long before.
    const result = await createFileStore({ dir, lock: { timeoutMs: 2_000 } }).withLock('dev', async () => 'acquired');

    expect(result).toBe('acquired');
    expect(existsSync(lock)).toBe(false);
  });
});
