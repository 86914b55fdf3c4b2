import { AuthError, basicAuthorization, toAuthError, type BasicCredential, type ProviderIO } from '@auth/core/provider';
import type { KapacitorSettings } from './options.js';

/** Kapacitor HTTP API reference, "Ping": 204 No Content once the request is authenticated. */
export const PING_PATH = '/kapacitor/v1/ping';

/** Kapacitor's own words are quoted, never more than this, on one line. */
const MAX_REASON = 200;

/**
 * Proves the credentials: `GET /kapacitor/v1/ping` with them as Basic
 * credentials, as the kapacitor CLI sends them. Kapacitor authenticates
 * before it authorizes (`services/httpd/handler.go`), so a 403 (a user with
 * no privilege on `/api/ping`) still proves the username and password; 401
 * is a refusal, with Kapacitor's `error` text. A redirect is not followed:
 * the kapacitor CLI would be talking to another URL than the profile's.
 */
export async function checkKapacitorCredentials(settings: KapacitorSettings, credential: BasicCredential, io: ProviderIO): Promise<void> {
  const url = new URL(PING_PATH, settings.url).href;
  let response: Response;
  try {
    response = await io.fetch(url, {
      method: 'GET',
      headers: { authorization: basicAuthorization(credential), accept: 'application/json' },
      redirect: 'manual',
      signal: io.signal,
    });
  } catch (error) {
    throw toAuthError(error, { url, timeoutMs: io.timeoutMs });
  }
  if (response.ok || response.status === 403) return;
  if (response.status === 401) {
    const reason = (await kapacitorError(response)) ?? 'HTTP 401';
    throw new AuthError('INVALID_CREDENTIALS', `Kapacitor at ${url} refused the credentials of ${credential.username}: ${reason}`, {
      url,
      status: 401,
      hint: 'check the username and the password (AUTHCTL_PASSWORD, --password-stdin or the prompt), then log in again',
    });
  }
  const location = response.headers.get('location');
  throw new AuthError('PROTOCOL', `${url} answered HTTP ${response.status}${location === null ? '' : ` (redirect to ${location})`}, not Kapacitor's 204`, {
    url,
    status: response.status,
    hint: 'check that `url` in the profile is the Kapacitor server itself, as http(s)://host:port (Kapacitor listens on 9092 by default)',
  });
}

/** The `error` of Kapacitor's `{"error":…,"message":…}` body, on one line and bounded; undefined when it is not there. */
async function kapacitorError(response: Response): Promise<string | undefined> {
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    return undefined;
  }
  const text = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof text !== 'string' || text === '') return undefined;
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON)}…` : line;
}
