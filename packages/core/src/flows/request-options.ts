import * as oauth from 'oauth4webapi';
import type { ProviderIO } from '../contracts/provider.js';

/**
 * The transport options every oauth4webapi call gets: the injected fetch, a
 * fresh per-request timeout combined with the caller's signal, and plain
 * `http://` only where the profile's URLs were checked to allow it.
 */
export function requestOptions(io: ProviderIO) {
  return {
    [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<string, unknown>) =>
      io.fetch(url, init as RequestInit),
    [oauth.allowInsecureRequests]: io.allowInsecureHttp,
    signal: () => AbortSignal.any([io.signal, timeoutSignal(io.timeoutMs)]),
  };
}

/**
 * Like `AbortSignal.timeout`, but held by its own timer: on Node 20 a
 * timeout signal that only `AbortSignal.any` refers to can be garbage
 * collected and then never fires, which would let a silent server hang us.
 * The timer is unref'd (the pending request keeps the process alive) and
 * left to run out: it also bounds reading the response body.
 */
function timeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new DOMException(`No answer within ${ms} ms`, 'TimeoutError')), ms).unref();
  return controller.signal;
}
