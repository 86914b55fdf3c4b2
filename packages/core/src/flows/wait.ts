import { AuthError } from '../errors.js';

/** Sleeps `ms`, or rejects with CANCELLED as soon as `signal` aborts. */
export function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancelled(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function cancelled(signal: AbortSignal): AuthError {
  return new AuthError('CANCELLED', 'The login was cancelled', { cause: signal.reason });
}
