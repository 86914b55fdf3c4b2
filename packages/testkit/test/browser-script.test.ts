import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { browserScript, chromiumPath, type TestIdP } from '../src/index.js';
import { authorizationUrl, oauth, publicClient, requestOptions } from './support/oauth-client.js';
import { startedIdP } from './support/started-idp.js';

let idp: TestIdP;
let as: oauth.AuthorizationServer;
let callback: { server: Server; redirectUri: string; received: URL[] };
let workDir: string;

beforeAll(async () => {
  ({ idp, as } = await startedIdP());
  const received: URL[] = [];
  // What authctl's one-shot loopback listener does: take the redirect, say so.
  const server = createServer((req, res) => {
    received.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><title>Signed in</title><h1>You can close this window.</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  callback = { server, redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`, received };
});
afterEach(() => {
  callback.received.length = 0;
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});
afterAll(async () => {
  await new Promise((resolve) => callback.server.close(resolve));
  await idp.close();
});

function runBrowser(url: string, env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(browserScript, [url], { env: { ...process.env, ...env }, timeout: 90_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stderr });
    });
  });
}

test('chromiumPath is Debian chromium, and browserScript is an executable (a missing chromium fails, never skips)', () => {
  expect(chromiumPath()).toBe('/usr/bin/chromium');
  expect(() => accessSync(browserScript, constants.X_OK)).not.toThrow();
});

test('browserScript signs in and consents in Debian chromium, landing on the loopback callback with a code', async () => {
  workDir = mkdtempSync(join(tmpdir(), 'authkit-browser-'));
  const artifacts = join(workDir, 'artifacts');
  const log = join(workDir, 'browser.log');
  const request = await authorizationUrl(as, callback.redirectUri);

  const run = await runBrowser(request.url, {
    AUTHKIT_TEST_USERNAME: 'bob',
    AUTHKIT_TEST_PASSWORD: 'bob-password',
    AUTHKIT_TEST_ARTIFACTS: artifacts,
    AUTHKIT_TEST_BROWSER_LOG: log,
  });
  expect(run).toEqual({ code: 0, stderr: '' });

  expect(callback.received).toHaveLength(1);
  const params = oauth.validateAuthResponse(as, publicClient, callback.received[0]!, request.state);
  expect(params.get('code')).toBeTruthy();
  const res = await oauth.authorizationCodeGrantRequest(as, publicClient, oauth.None(), params, callback.redirectUri, request.codeVerifier, requestOptions);
  const tokens = await oauth.processAuthorizationCodeResponse(as, publicClient, res, { expectedNonce: request.nonce });
  expect(oauth.getValidatedIdTokenClaims(tokens)?.sub).toBe('bob');

  const shots = readdirSync(artifacts);
  expect(shots.some((f) => /-login\.png$/.test(f))).toBe(true);
  expect(shots.some((f) => /-callback\.png$/.test(f))).toBe(true);
  for (const shot of shots) expect(readFileSync(join(artifacts, shot)).subarray(1, 4).toString()).toBe('PNG');

  const lines = readFileSync(log, 'utf8').trim().split('\n');
  expect(lines.map((l) => l.split(' ')[1] === 'step' ? l.split(' ')[3] : l.split(' ')[1])).toEqual(['launch', 'login', 'consent', 'callback', 'done']);
  // Neither the password nor the authorization code is written to the log.
  expect(readFileSync(log, 'utf8')).not.toMatch(/bob-password|code=/);
});

test('browserScript exits non-zero with the reason on stderr when the password is refused', async () => {
  const request = await authorizationUrl(as, callback.redirectUri);
  const run = await runBrowser(request.url, { AUTHKIT_TEST_PASSWORD: 'wrong-password' });
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/sign-in as alice was refused: .*Invalid username or password/);
  expect(run.stderr).not.toContain('wrong-password');
  expect(callback.received).toHaveLength(0);
});

test('browserScript exits 2 with a usage line when not given exactly one URL', async () => {
  const run = await runBrowser('not a url', {});
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/^usage: authkit-test-browser <url>/);
});
