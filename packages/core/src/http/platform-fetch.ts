import { AuthError } from '../errors.js';

type Io = { fetch: typeof fetch; signal: AbortSignal; timeoutMs: number };

/**
 * One request to a platform endpoint through the injected (bounded) fetch. A
 * failure to get any answer becomes TIMEOUT, CANCELLED or NETWORK naming `url`
 * and `what` was asked; an answer, whatever its status, is the caller's to judge.
 */
export async function platformFetch(io: Io, url: string, init: RequestInit, what: string, hint: string): Promise<Response> {
  try {
    return await io.fetch(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, io.signal]) : io.signal });
  } catch (cause) {
    if (AuthError.is(cause)) throw cause;
    const name = (cause as { name?: unknown } | undefined)?.name;
    if (name === 'TimeoutError') {
      throw new AuthError('TIMEOUT', `No answer from ${what} at ${url} within ${io.timeoutMs / 1000} s`, { url, hint, cause });
    }
    if (name === 'AbortError') throw new AuthError('CANCELLED', `The request to ${what} at ${url} was cancelled`, { url, cause });
    throw new AuthError('NETWORK', `Cannot reach ${what} at ${url}`, { url, hint, cause });
  }
}
