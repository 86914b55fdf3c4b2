import { mkdir, readdir, rm } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PAGE_STYLE } from '@auth/core';
import { browserScript } from '@auth/testkit';
import { describe, expect } from 'vitest';
import { STACK_FRAME } from '../support/sandbox.js';
import { finishedBrowserLog } from './support/browser-log.js';
import { flowTest as test } from './support/flow-fixtures.js';
import { expectLoginEvents, jsonEvents, parseEvent } from './support/json-events.js';
import { printLiveToken } from './support/live-token.js';

/** A stylesheet, script, image or font fetched from elsewhere. */
const EXTERNAL_ASSET = /(?:src|href)\s*=\s*["']?(?:https?:)?\/\/|url\(\s*["']?(?:https?:)?\/\/|@import/i;

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/flows/browser-login/', import.meta.url));

/** A loopback port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A GET of a URL, or `refused` when nothing listens there any more. */
async function get(url: string): Promise<number | 'refused'> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return 'refused';
    throw error;
  }
}

/** Sends `requestLine` to a loopback port byte for byte (no client library to tidy it up) and returns the whole answer. */
async function rawRequest(port: number, requestLine: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let answer = '';
  socket.on('data', (chunk: string) => {
    answer += chunk;
  });
  socket.write(`${requestLine}\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
  await new Promise<void>((resolve, reject) => {
    socket.once('end', resolve);
    socket.once('error', reject);
  });
  return answer;
}

describe('browser flow (authorization code + PKCE, loopback callback)', () => {
  test(
    'login --flow browser --json with Debian chromium as BROWSER: an open_url line, then a logged_in line, and the token is live',
    async ({ idp, sandbox }) => {
      await rm(ARTIFACTS, { recursive: true, force: true });
      await mkdir(ARTIFACTS, { recursive: true });
      const log = join(sandbox.home, 'browser.log');
      const result = await sandbox.run(['login', '--flow', 'browser', '--json'], {
        env: { BROWSER: browserScript, AUTHKIT_TEST_ARTIFACTS: ARTIFACTS, AUTHKIT_TEST_BROWSER_LOG: log },
        killAfterMs: 90_000,
      });
      const browserLog = await finishedBrowserLog(log);
      expect(result.code, `stderr:\n${result.stderr}\nbrowser log:\n${browserLog}`).toBe(0);

      const [open] = expectLoginEvents(result, 'open_url');
      expect(Object.keys(open)).toEqual(['event', 'url']);
      const url = new URL(String(open.url));
      expect(`${url.origin}${url.pathname}`).toBe(`${idp.issuer}/auth`);
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);

      const { introspection } = await printLiveToken(idp, sandbox);
      expect(introspection.sub).toBe('alice');

      const screenshots = (await readdir(ARTIFACTS)).filter((name) => name.endsWith('.png'));
      expect(screenshots.some((name) => name.endsWith('-login.png')), screenshots.join(', ')).toBe(true);
      expect(screenshots.some((name) => name.endsWith('-callback.png')), screenshots.join(', ')).toBe(true);
    },
    120_000,
  );

  test('a callback with the wrong state gets 400 and the login keeps waiting; the right one completes it; a second callback is refused', async ({
    idp,
    sandbox,
  }) => {
    const run = sandbox.start(['login', '--flow', 'browser', '--no-browser', '--json'], { killAfterMs: 60_000 });
    let exited = false;
    void run.done.then(() => {
      exited = true;
    });
    const open = parseEvent(await run.nextLine());
    expect(open.event).toBe('open_url');
    const authorizationUrl = String(open.url);
    const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri');
    expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);

    expect(await get(`${redirectUri}?code=x&state=wrong`)).toBe(400);
    // Still listening and still running: the forged callback ended nothing.
    expect(await get(`${redirectUri}?code=x&state=wrong`)).toBe(400);
    expect(exited).toBe(false);

    const callback = await idp.user.authorize(authorizationUrl, redirectUri!);
    expect(await get(callback)).toBe(200);
    expectLoginEvents(await run.done, 'open_url');

    const second = await get(callback);
    expect(second === 'refused' || second >= 400, `second callback answered ${second}`).toBe(true);
  });

  test('RFC 6749 §4.1.2.1: the IdP redirecting back with error=access_denied ends the login with exit 4 and a 403 page', async ({
    idp,
    sandbox,
  }) => {
    const run = sandbox.start(['login', '--flow', 'browser', '--no-browser', '--json'], { killAfterMs: 60_000 });
    const authorization = new URL(String(parseEvent(await run.nextLine()).url));
    // What the IdP sends when the person presses Deny: the request's state, and iss (RFC 9207).
    const denied = new URL(authorization.searchParams.get('redirect_uri')!);
    denied.search = new URLSearchParams({
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
      state: authorization.searchParams.get('state')!,
      iss: idp.issuer,
    }).toString();
    expect(await get(denied.href)).toBe(403);

    const result = await run.done;
    expect(result.code, result.stderr).toBe(4);
    expect(jsonEvents(result.stdout).map((event) => event.event)).toEqual(['open_url', 'error']);
    expect(result.stderr).toMatch(/^authctl: .*access_denied/m);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(await sandbox.credentialFiles()).toEqual([]);
  });

  test('login --port N listens for the callback on that port', async ({ idp, sandbox }) => {
    const port = await freePort();
    const run = sandbox.start(['login', '--flow', 'browser', '--no-browser', '--port', String(port), '--json'], { killAfterMs: 60_000 });
    const authorizationUrl = String(parseEvent(await run.nextLine()).url);
    const redirectUri = `http://127.0.0.1:${port}/callback`;
    expect(new URL(authorizationUrl).searchParams.get('redirect_uri')).toBe(redirectUri);

    expect(await get(await idp.user.authorize(authorizationUrl, redirectUri))).toBe(200);
    expectLoginEvents(await run.done, 'open_url');
  });
  test('the callback pages look like auth-server\'s (its stylesheet inline, no external assets) and say what to do next', async ({ idp, sandbox }) => {
    const run = sandbox.start(['login', '--flow', 'browser', '--no-browser', '--json'], { killAfterMs: 60_000 });
    const url = String(parseEvent(await run.nextLine()).url);
    const callback = await idp.user.authorize(url, new URL(url).searchParams.get('redirect_uri')!);
    const response = await fetch(callback, { signal: AbortSignal.timeout(20_000) });
    const page = await response.text();
    expectLoginEvents(await run.done, 'open_url');

    expect(response.status).toBe(200);
    expect(page).toContain('<h1>Login complete</h1>');
    expect(page).toContain(PAGE_STYLE);
    expect(page).not.toMatch(EXTERNAL_ASSET);
    expect(page).toContain('You can close this tab and go back to the terminal');

    const denied = sandbox.start(['login', '--flow', 'browser', '--no-browser', '--json'], { killAfterMs: 60_000 });
    const authorization = new URL(String(parseEvent(await denied.nextLine()).url));
    const answer = new URL(authorization.searchParams.get('redirect_uri')!);
    answer.search = new URLSearchParams({ error: 'access_denied', state: authorization.searchParams.get('state')!, iss: idp.issuer }).toString();
    const failed = await (await fetch(answer, { signal: AbortSignal.timeout(20_000) })).text();
    expect((await denied.done).code).toBe(4);
    expect(failed).toContain('<h1>Login failed</h1>');
    expect(failed).toContain(PAGE_STYLE);
    expect(failed).not.toMatch(EXTERNAL_ASSET);
    expect(failed).toContain('then run <code>authctl login --profile dev</code> again');
  });

  test('a malformed request line (GET http://[/callback) gets 400 and the login keeps waiting, then completes', async ({ idp, sandbox }) => {
    const run = sandbox.start(['login', '--flow', 'browser', '--no-browser', '--json'], { killAfterMs: 60_000 });
    let exited = false;
    void run.done.then(() => {
      exited = true;
    });
    const authorizationUrl = String(parseEvent(await run.nextLine()).url);
    const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri')!;

    const answer = await rawRequest(Number(new URL(redirectUri).port), 'GET http://[/callback HTTP/1.1');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(exited).toBe(false);

    expect(await get(await idp.user.authorize(authorizationUrl, redirectUri))).toBe(200);
    const result = await run.done;
    expectLoginEvents(result, 'open_url');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});
