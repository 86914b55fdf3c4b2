import { AuthError } from '../errors.js';
import { requestUrl } from './request-url.js';

/** No OAuth or discovery answer comes near this; a bigger one is an attack or a mistake, not a reply. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface BoundedFetchOptions {
  /** The whole exchange, answer body included, must end within this many milliseconds. */
  timeoutMs: number;
  /** Bodies larger than this fail with PROTOCOL (default `MAX_RESPONSE_BYTES`). */
  maxBytes?: number;
}

type Fetch = typeof fetch;

const bounded = new WeakSet<Fetch>();

/**
 * A fetch whose every exchange is over within `timeoutMs`, and whose answer
 * is read whole (at most `maxBytes`) before it is handed back.
 *
 * The timer is a live one (it holds the process open) and runs until the
 * body is read: Node's fetch can leave a request to a server that drops the
 * connection pending forever with nothing else keeping the process alive, and
 * the process would then end with exit 0 having done nothing. Aborting on the
 * timer settles such a request with a `TimeoutError`.
 *
 * Wrapping a fetch that is already bounded returns it as is.
 */
export function boundedFetch(fetchImpl: Fetch, options: BoundedFetchOptions): Fetch {
  if (bounded.has(fetchImpl)) return fetchImpl;
  const maxBytes = options.maxBytes ?? MAX_RESPONSE_BYTES;
  const wrapped: Fetch = async (input, init) => {
    const url = requestUrl(input);
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new DOMException(`No answer from ${url} within ${options.timeoutMs} ms`, 'TimeoutError')),
      options.timeoutMs,
    );
    const caller = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const signal = caller ? AbortSignal.any([caller, timeout.signal]) : timeout.signal;
    try {
      // Raced with the signal: a fetch that ignores it must not outlive the timer either.
      const response = await Promise.race([fetchImpl(input, { ...init, signal }), rejectOnAbort(signal)]);
      const body = await readLimited(response, maxBytes, url);
      return rebuilt(response, body);
    } catch (error) {
      // A body read cut short by the timer surfaces as the stream's own error: report the timeout.
      if (timeout.signal.aborted && !AuthError.is(error)) throw timeout.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  bounded.add(wrapped);
  return wrapped;
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

async function readLimited(response: Response, maxBytes: number, url: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(url, maxBytes, response.status);
  }
  if (response.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(url, maxBytes, response.status);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The same answer over the bytes already read. */
function rebuilt(response: Response, body: Uint8Array): Response {
  // Statuses outside what the Response constructor takes (e.g. an opaque redirect) carry no body to read.
  if (response.status < 200 || response.status > 599) return response;
  const headers = new Headers(response.headers);
  // The body is already decoded, and its length is what was read.
  headers.delete('content-encoding');
  headers.delete('content-length');
  const nullBody = [204, 205, 304].includes(response.status);
  return new Response(nullBody ? null : body, { status: response.status, statusText: response.statusText, headers });
}

function tooLarge(url: string, maxBytes: number, status: number): AuthError {
  return new AuthError('PROTOCOL', `${url} sent an answer larger than ${formatBytes(maxBytes)}; refusing to read it`, {
    url,
    status,
    hint: 'check that the URL in the profile points at an OAuth 2.0 / OpenID Connect server',
  });
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}
