import { AuthError, boundedFetch, createFetch, platformFetch } from '@auth/core/provider';

/** Kapacitor's `meta-ca`, `meta-cert`, `meta-key` and `meta-insecure-skip-verify`. */
export interface InfluxTls {
  /** PEM file of a CA trusted in addition to the system roots. */
  caFile?: string;
  /** Client certificate (PEM), with `keyFile`, for a server that asks for one. */
  certFile?: string;
  keyFile?: string;
  /** Accept any server certificate: encrypted, not authenticated. */
  insecureSkipVerify?: boolean;
}

/** Kapacitor's meta client gives up after 10 s (`DefaultTimeout`). */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** A user list of a large cluster is far below this; anything bigger is not a meta answer. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export interface TransportOptions {
  /** Replaces the TLS transport (the caller's own, e.g. a profile's); `tls` is then not applied. */
  fetch?: typeof fetch;
  tls?: InfluxTls;
  timeoutMs?: number;
}

export interface Transport {
  fetch: typeof fetch;
  timeoutMs: number;
}

/** A fetch bounded in time and size, over the TLS settings given. */
export function transport(options: TransportOptions): Transport {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return { fetch: boundedFetch(options.fetch ?? tlsFetch(options.tls ?? {}), { timeoutMs, maxBytes: MAX_ANSWER_BYTES }), timeoutMs };
}

function tlsFetch(tls: InfluxTls): typeof fetch {
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new AuthError('CONFIG_INVALID', 'A client certificate needs both its certificate file and its key file', {
      hint: 'set both (Kapacitor: meta-cert and meta-key), or neither',
    });
  }
  return createFetch({
    ...(tls.caFile === undefined ? {} : { caFile: tls.caFile }),
    ...(tls.certFile === undefined || tls.keyFile === undefined ? {} : { clientCertificate: { certFile: tls.certFile, keyFile: tls.keyFile } }),
    ...(tls.insecureSkipVerify ? { insecureSkipVerify: true } : {}),
  });
}

/**
 * One exchange; no answer at all becomes NETWORK, TIMEOUT or CANCELLED naming
 * the URL without its query, which may hold a password (`/authorized`): the
 * cause, whose text may quote the whole URL, is then left out as well.
 */
export function send(io: Transport, signal: AbortSignal | undefined, url: URL, init: RequestInit, what: string): Promise<Response> {
  const shown = `${url.origin}${url.pathname}`;
  return platformFetch(
    { fetch: io.fetch, signal: signal ?? new AbortController().signal, timeoutMs: io.timeoutMs },
    url.href,
    init,
    what,
    `check that ${what} is running and reachable at ${url.origin}`,
  ).catch((error: unknown) => {
    if (AuthError.is(error) && error.details.url === url.href) {
      const { cause } = error;
      throw new AuthError(error.code, error.message.replace(url.href, shown), { ...error.details, url: shown, ...(url.search === '' ? { cause } : {}) });
    }
    throw error;
  });
}

/** The `{"error": "..."}` message of an InfluxDB answer, else its text cut short. */
export function answerMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
  } catch {
    // not JSON: the text itself
  }
  return text.trim().slice(0, 200) || '(empty answer)';
}

/**
 * An InfluxDB error answer as an AuthError: 401 refused credentials (exit 4),
 * 403 denied (exit 4), a named thing that does not exist or already exists,
 * and any other 4xx, a USAGE error (exit 2: the command named something
 * wrong), anything else PROTOCOL (exit 5).
 */
export function answerError(status: number, message: string, url: string, what: string, hint: { credentials: string }): AuthError {
  const where = `${what} at ${url}`;
  if (status === 401) {
    return new AuthError('INVALID_CREDENTIALS', `${where} refused the credentials: ${message}`, { url, status, hint: hint.credentials });
  }
  if (status === 403) {
    return new AuthError('ACCESS_DENIED', `${where} denied the request: ${message}`, { url, status, hint: 'use an administrator with the permission this needs' });
  }
  if ((status >= 400 && status < 500) || /not found|already exists/i.test(message)) {
    return new AuthError('USAGE', `${where}: ${message}`, { url, status, hint: 'check the names given (list them with `users list` or `roles list`)' });
  }
  return new AuthError('PROTOCOL', `${where} answered HTTP ${status}: ${message}`, { url, status, hint: `check the logs of ${what}` });
}
