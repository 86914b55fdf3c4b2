import { Writable } from 'node:stream';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger, prepareDevMode, startAuthServer, type RunningAuthServer } from '../src/index.js';
import { DEMO_PASSWORD, SERVICE_SECRET } from './support/credentials.js';
import { signInOverHttp } from './support/http-user.js';
import { authorizationRequest, cli, clientCredentialsToken, discover, exchangeCode, insecure } from './support/oauth-client.js';
import { makeDataDir, removeDataDir } from './support/test-server.js';

/** The issuer's /metrics (on metrics_listen) and its audit lines, after a known mix of logins, denials, a lockout and token requests. */

const WRONG_SECRET = 'wrong-secret-never-logged-0123456789';
let dataDir: string;
let running: RunningAuthServer;
let as: oauth.AuthorizationServer;
const lines: string[] = [];
const secrets: string[] = [SERVICE_SECRET, DEMO_PASSWORD, WRONG_SECRET];

beforeAll(async () => {
  dataDir = await makeDataDir();
  const dev = await prepareDevMode({ listen: '127.0.0.1:0', dataDir, env: { AUTH_SERVER_DEV_PASSWORD: DEMO_PASSWORD, AUTH_SERVER_DEV_CLIENT_SECRET: SERVICE_SECRET } });
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  running = await startAuthServer({
    config: { ...dev.config, metrics_listen: '127.0.0.1:0', lockout: { ...dev.config.lockout, failures: 2, first_lock_seconds: 600, max_lock_seconds: 600 } },
    logger: createLogger({ level: 'info', destination }),
  });
  as = await discover(running.issuer!);

  // A person signs in, gets tokens and refreshes once.
  const redirectUri = 'http://127.0.0.1:53682/callback';
  const request = await authorizationRequest(as, redirectUri);
  const callback = await signInOverHttp(request.url.href, redirectUri, 'demo', DEMO_PASSWORD);
  secrets.push(callback.searchParams.get('code')!);
  const tokens = await exchangeCode(as, request, callback);
  const refreshed = await oauth.processRefreshTokenResponse(as, cli, await oauth.refreshTokenGrantRequest(as, cli, oauth.None(), tokens.refresh_token!, insecure));
  secrets.push(tokens.access_token, tokens.refresh_token!, refreshed.access_token, refreshed.refresh_token!);
  // The service: one good secret, two wrong ones (the lock), then the right one refused unchecked.
  secrets.push((await clientCredentialsToken(as)).access_token);
  for (let i = 0; i < 2; i++) await expect(clientCredentialsToken(as, WRONG_SECRET)).rejects.toMatchObject({ status: 401 });
  await expect(clientCredentialsToken(as)).rejects.toMatchObject({ status: 401 });
});

afterAll(async () => {
  await running?.close();
  if (dataDir) await removeDataDir(dataDir);
});

const sample = (text: string, name: string, labels: string) => {
  const match = new RegExp(`^${name}\\{${labels}\\} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
};

describe('issuer metrics', () => {
  test('/metrics on metrics_listen counts logins by method and result, lockouts, tokens by grant type, refreshes and refusals', async () => {
    expect(running.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const res = await fetch(running.metricsUrl!);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(sample(text, 'auth_server_logins_total', 'kind="account",method="password",result="success"')).toBe(1);
    expect(sample(text, 'auth_server_logins_total', 'kind="client",method="client_secret",result="success"')).toBe(1);
    expect(sample(text, 'auth_server_logins_total', 'kind="client",method="client_secret",result="failure"')).toBe(2);
    expect(sample(text, 'auth_server_logins_total', 'kind="client",method="client_secret",result="locked"')).toBe(1);
    expect(sample(text, 'auth_server_lockout_refusals_total', 'scope="subject"')).toBe(1);
    expect(sample(text, 'auth_server_tokens_issued_total', 'grant_type="authorization_code"')).toBe(1);
    expect(sample(text, 'auth_server_tokens_issued_total', 'grant_type="refresh_token"')).toBe(1);
    expect(sample(text, 'auth_server_tokens_issued_total', 'grant_type="client_credentials"')).toBe(1);
    expect(sample(text, 'auth_server_token_errors_total', 'grant_type="client_credentials",error="invalid_client"')).toBe(3);
  });

  test('the issuer listener does not serve /metrics', async () => {
    expect((await fetch(`${running.issuer}/metrics`)).status).toBe(404);
  });
});

describe('audit log', () => {
  const audit = () =>
    lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.audit !== undefined)
      .map(({ audit, kind, method, subject, result, lock }) => ({ audit, kind, method, subject, result, ...(lock ? { lock } : {}) }));

  test('logins and denials are audit lines naming kind, method, subject, address and outcome', () => {
    expect(audit()).toEqual([
      { audit: 'login', kind: 'account', method: 'password', subject: expect.any(String), result: 'success' },
      { audit: 'login', kind: 'client', method: 'client_secret', subject: 'demo-service', result: 'success' },
      { audit: 'login_denied', kind: 'client', method: 'client_secret', subject: 'demo-service', result: 'failure' },
      { audit: 'login_denied', kind: 'client', method: 'client_secret', subject: 'demo-service', result: 'failure' },
      { audit: 'login_denied', kind: 'client', method: 'client_secret', subject: 'demo-service', result: 'locked', lock: 'subject' },
    ]);
    for (const line of lines.filter((l) => l.includes('"audit"'))) expect(JSON.parse(line).address).toBe('127.0.0.1');
  });

  test('no password, secret, code or token appears anywhere in the logs, and the account is named only by its hash', () => {
    const all = lines.join('');
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(audit()[0]!.subject).not.toContain('demo');
  });
});
