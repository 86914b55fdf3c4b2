import { stat, utimes } from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { AuthError } from '../errors.js';
import { createKeyedMutex } from './key-mutex.js';

export interface FileLockOptions {
  /** Give up waiting after this long (default 60 s). */
  timeoutMs?: number;
  /** A lock whose holder stopped refreshing it this long ago is taken over (default 10 s, minimum 2 s). */
  staleMs?: number;
  /** How waiting reads time and sleeps between attempts (tests inject a fake one). */
  clock?: LockClock;
}

export interface LockClock {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: LockClock = {
  nowMs: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Between attempts: 10 ms growing by half each time to 200 ms, jittered so waiters do not poll in step. */
const MIN_RETRY_MS = 10;
const MAX_RETRY_MS = 200;

const DEFAULT_LOCK_TIMEOUT_MS = 60_000;
const DEFAULT_LOCK_STALE_MS = 10_000;
/** A live holder stamps its lock with this machine's "now"; more than this ahead was not stamped by one. */
const FUTURE_TOLERANCE_MS = 1_000;

// One per process, keyed by lock path: two stores (or a store and a config
// writer) in one process queue here instead of polling each other's lock dir.
const inProcess = createKeyedMutex();

/**
 * Runs `fn` holding a cross-process lock: proper-lockfile's `mkdir <lockPath>`
 * (atomic, also on NFS), refreshed while held, taken over once stale when the
 * holder died. Waits with short jittered backoff, bounded by `timeoutMs`.
 * `what` names the locked thing in errors ("credential \"dev\"", a file).
 */
export function withFileLock<T>(
  target: string,
  lockPath: string,
  what: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  return inProcess(lockPath, async (reentered) => {
    // The outer section of this process already holds the file lock.
    if (reentered) return fn();
    const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    const staleMs = options.staleMs ?? DEFAULT_LOCK_STALE_MS;
    await backdateFutureLock(lockPath, staleMs);
    let compromised: Error | undefined;
    let release: () => Promise<void>;
    try {
      release = await acquire(options.clock ?? realClock, timeoutMs, () =>
        lockfile.lock(target, {
          realpath: false,
          lockfilePath: lockPath,
          stale: staleMs,
          // The default throws from a timer and kills the process; report it once `fn` is done instead.
          onCompromised: (error) => {
            compromised = error;
          },
        }),
      );
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new AuthError(
        'STORE_UNAVAILABLE',
        code === 'ELOCKED'
          ? `timed out after ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`} waiting for the lock on ${what} (${lockPath})`
          : `cannot lock ${what} (${lockPath}): ${code ?? String(error)}`,
        {
          file: lockPath,
          hint:
            code === 'ELOCKED'
              ? 'another authctl process is holding it (a dead holder\'s lock is taken over automatically); retry when it has finished'
              : `check that the folder of ${lockPath} exists and is writable`,
          cause: error,
        },
      );
    }

    let result: T;
    try {
      result = await fn();
    } finally {
      // A compromised lock is already gone, or someone else's: nothing to release.
      if (compromised === undefined) await release().catch(() => {});
    }
    if (compromised !== undefined) {
      throw new AuthError('STORE_UNAVAILABLE', `lost the lock on ${what} (${lockPath}) while holding it`, {
        file: lockPath,
        hint: 'the process stalled for longer than the stale-lock limit; retry the command',
        cause: compromised,
      });
    }
    return result;
  });
}

/** Tries `lock` until it succeeds, fails otherwise than ELOCKED, or `timeoutMs` has passed on `clock`. */
async function acquire<R>(clock: LockClock, timeoutMs: number, lock: () => Promise<R>): Promise<R> {
  const deadline = clock.nowMs() + timeoutMs;
  for (let delay = MIN_RETRY_MS; ; delay = Math.min(delay * 1.5, MAX_RETRY_MS)) {
    try {
      return await lock();
    } catch (error) {
      const left = deadline - clock.nowMs();
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED' || left <= 0) throw error;
      await clock.sleep(Math.min(left, Math.round(delay * (0.5 + Math.random()))));
    }
  }
}

/**
 * proper-lockfile ages a lock by its mtime, so one dated in the future (a
 * clock set back, a folder copied from another machine) would be waited on
 * until the timeout, every time. Dated back past the stale limit, it is
 * taken over like any abandoned lock.
 */
async function backdateFutureLock(lockPath: string, staleMs: number): Promise<void> {
  const now = Date.now();
  const found = await stat(lockPath).catch(() => undefined);
  if (found === undefined || found.mtimeMs <= now + FUTURE_TOLERANCE_MS) return;
  const abandoned = new Date(now - 2 * staleMs);
  await utimes(lockPath, abandoned, abandoned).catch(() => {});
}
