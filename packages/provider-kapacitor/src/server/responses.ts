import type { GatewayDeny } from '@auth/core/provider';
import { goJsonString } from './go-text.js';

/** Kapacitor's `HttpError` (`services/httpd/handler.go`): compact `{"error","message"}`, the 1.6+ envelope. */
export function kapacitorError(status: number, message: string, reason: string): GatewayDeny {
  const text = goJsonString(message);
  return {
    allow: false,
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: `{"error":${text},"message":${text}}`,
    reason,
  };
}

/** Kapacitor's write handler answers with `writeError`: the message and a newline, no content type (Go sniffs text/plain). */
export function kapacitorPlainText(status: number, message: string, reason: string): GatewayDeny {
  return {
    allow: false,
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: `${message}\n`,
    reason,
  };
}

/**
 * InfluxDB 1.6's `httpError`: `{"error"}`; a 401 challenges with
 * `WWW-Authenticate: Basic realm="InfluxDB"`, any other error repeats the
 * message (at most 1024 bytes) in `X-Influxdb-Error`.
 */
export function influxdbError(status: number, message: string, reason: string): GatewayDeny {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status === 401) headers['www-authenticate'] = 'Basic realm="InfluxDB"';
  else headers['x-influxdb-error'] = Buffer.from(message).subarray(0, 1024).toString('utf8');
  return { allow: false, status, headers, body: `{"error":${goJsonString(message)}}\n`, reason };
}
