import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured JSON logs on stderr (stdout carries only `ready <issuer>`).
 * Nothing logs a credential on purpose; the redaction list is the second
 * line of defence should a header or body ever end up in a log call.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.client_secret',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.code',
  '*.device_code',
  '*.token',
  '*.client_assertion',
];

export function createLogger({ level = 'info', destination }: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    { level, base: { service: 'auth-server' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    destination ?? pino.destination({ dest: 2, sync: true }),
  );
}
