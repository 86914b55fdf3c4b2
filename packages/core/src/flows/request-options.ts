import * as oauth from 'oauth4webapi';
import type { ProviderIO } from '../contracts/v1/provider.js';
import { boundedFetch } from '../http/bounded-fetch.js';

/** What a protocol request needs of a provider's I/O: the transport, not the environment. */
export type RequestIO = Pick<ProviderIO, 'fetch' | 'signal' | 'timeoutMs' | 'allowInsecureHttp'>;

/**
 * The transport options every oauth4webapi call gets: the injected fetch,
 * bounded in time and size per request (see bounded-fetch.ts), the caller's
 * signal, and plain `http://` only where the profile's URLs were checked to
 * allow it.
 */
export function requestOptions(io: RequestIO) {
  const send = boundedFetch(io.fetch, { timeoutMs: io.timeoutMs });
  return {
    [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<string, unknown>) => send(url, init as RequestInit),
    [oauth.allowInsecureRequests]: io.allowInsecureHttp,
    signal: io.signal,
  };
}
