import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { browserScript } from '@auth/testkit';
import { describe, expect } from 'vitest';
import { introspect } from '../support/idp-checks.js';
import { flowTest as test } from './support/flow-fixtures.js';
import { expectLoggedIn, jsonEvents, parseEvent } from './support/json-events.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/flows/browser-login/', import.meta.url));

/** The browser script logs `done` once chromium has closed; its last screenshot is on disk by then. */
async function browserFinished(log: string): Promise<string> {
  for (let attempt = 0; attempt < 150; attempt += 1) {
    const text = existsSync(log) ? await readFile(log, 'utf8') : '';
    if (/ (done|failed: .*)\n$/.test(text)) return text;
    await sleep(200);
  }
  throw new Error(`the BROWSER script never finished; its log:\n${existsSync(log) ? await readFile(log, 'utf8') : '(none)'}`);
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
      const browserLog = await browserFinished(log);
      expect(result.code, `stderr:\n${result.stderr}\nbrowser log:\n${browserLog}`).toBe(0);

      const [open, loggedIn, ...rest] = jsonEvents(result.stdout);
      expect(rest).toEqual([]);
      expect(Object.keys(open!)).toEqual(['event', 'url']);
      expect(open!.event).toBe('open_url');
      const url = new URL(String(open!.url));
      expect(`${url.origin}${url.pathname}`).toBe(`${idp.issuer}/auth`);
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      expectLoggedIn(loggedIn);

      const printed = await sandbox.run(['print-token']);
      expect(printed.code, printed.stderr).toBe(0);
      const live = await introspect(idp, printed.stdout.trimEnd());
      expect(live.active).toBe(true);
      expect(live.sub).toBe('alice');

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
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    const events = jsonEvents(result.stdout);
    expect(events.map((event) => event.event)).toEqual(['open_url', 'logged_in']);
    expectLoggedIn(events[1]);

    const second = await get(callback);
    expect(second === 'refused' || second >= 400, `second callback answered ${second}`).toBe(true);
  });
});
