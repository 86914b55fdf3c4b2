import { join } from 'node:path';
import { browserScript, type TestIdP } from '@auth/testkit';
import { describe, expect } from 'vitest';
import { STACK_FRAME, type Sandbox } from '../support/sandbox.js';
import { finishedBrowserLog } from './support/browser-log.js';
import { flowTest as test } from './support/flow-fixtures.js';
import { expectLoginEvents, jsonEvents, parseEvent, type JsonEvent } from './support/json-events.js';
import { printLiveToken } from './support/live-token.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8628 §3.5: what a slow_down reply adds to the polling interval. */
const SLOW_DOWN_SECONDS = 5;
/** Clock granularity between two Date.now() readings in different code paths; not a performance margin. */
const CLOCK_SLACK_MS = 250;

function expectDeviceCodeEvent(event: JsonEvent, issuer: string): void {
  expect(Object.keys(event).sort()).toEqual(
    ['event', 'expires_in', 'interval', 'user_code', 'verification_uri', 'verification_uri_complete'].sort(),
  );
  expect(event).toEqual({
    event: 'device_code',
    verification_uri: expect.stringMatching(new RegExp(`^${issuer}/`)),
    verification_uri_complete: expect.stringMatching(new RegExp(`^${issuer}/.*user_code=`)),
    user_code: expect.stringMatching(/^\S+$/),
    expires_in: expect.any(Number),
    interval: expect.any(Number),
  });
}

/** `login --flow device --json`, the person approving the code as soon as it is shown. */
async function approvedDeviceLogin(idp: TestIdP, sandbox: Sandbox): Promise<JsonEvent> {
  const run = sandbox.start(['login', '--flow', 'device', '--json'], { killAfterMs: 60_000 });
  const code = parseEvent(await run.nextLine());
  expectDeviceCodeEvent(code, idp.issuer);
  await idp.user.approveDevice(String(code.verification_uri), String(code.user_code));
  expectLoginEvents(await run.done, 'device_code');
  return code;
}

/** A login's failure, as the person sees it: one clear message, a hint, no stack. */
function expectCleanFailure(stderr: string, message: RegExp): void {
  expect(stderr).toMatch(message);
  expect(stderr).toMatch(/^hint: .*authctl login/m);
  expect(stderr).not.toMatch(STACK_FRAME);
}

describe('device flow (RFC 8628)', () => {
  test('login --flow device --json: a device_code line with exactly the RFC 8628 fields, the person approves, a logged_in line', async ({
    idp,
    sandbox,
  }) => {
    await approvedDeviceLogin(idp, sandbox);
    const { introspection } = await printLiveToken(idp, sandbox);
    expect(introspection.sub).toBe('alice');
  });

  test('with BROWSER set, authctl opens verification_uri_complete and Debian chromium approves the code there', async ({ idp, sandbox }) => {
    const log = join(sandbox.home, 'browser.log');
    const result = await sandbox.run(['login', '--flow', 'device', '--json'], {
      env: { BROWSER: browserScript, AUTHKIT_TEST_BROWSER_LOG: log },
      killAfterMs: 90_000,
    });
    const browserLog = await finishedBrowserLog(log);
    expect(result.code, `stderr:\n${result.stderr}\nbrowser log:\n${browserLog}`).toBe(0);
    const [code] = expectLoginEvents(result, 'device_code');
    expectDeviceCodeEvent(code, idp.issuer);
    // Opened at the bare verification_uri, chromium would meet a form asking for the code and fail.
    expect(browserLog).toMatch(/ step \d+ signed-in /);
    expect(browserLog).not.toMatch(/failed:/);
  }, 120_000);

  test('RFC 8628 §3.5: slow_down adds 5 seconds to the polling interval', async ({ idp, sandbox }) => {
    idp.slowDownNext(1);
    const code = await approvedDeviceLogin(idp, sandbox);
    // The first poll met the armed slow_down; the next one is the first after it.
    const [slowedDown, next] = idp.devicePolls();
    expect(next, 'a poll after the slow_down reply').toBeDefined();
    expect(next! - slowedDown!).toBeGreaterThanOrEqual((Number(code.interval) + SLOW_DOWN_SECONDS) * 1000 - CLOCK_SLACK_MS);
  });

  test('expired_token: nobody approves before the device code expires → exit 3 with a clear message and no stack', async ({ idp, sandbox }) => {
    idp.setDeviceCodeTtl(2);
    const result = await sandbox.run(['login', '--flow', 'device', '--json'], { killAfterMs: 60_000 });
    expect(result.code, result.stderr).toBe(3);
    const events = jsonEvents(result.stdout);
    expect(events.map((event) => event.event)).toEqual(['device_code', 'error']);
    expect(events[1]).toMatchObject({ code: 'EXPIRED_TOKEN' });
    expectCleanFailure(result.stderr, /^authctl: .*device code expired/im);
    expect(idp.grantCount(DEVICE_GRANT)).toBeGreaterThanOrEqual(1);
    expect(await sandbox.credentialFiles()).toEqual([]);
  });

  test('access_denied: the person denies the code → exit 4 with a clear message and no stack', async ({ idp, sandbox }) => {
    const run = sandbox.start(['login', '--flow', 'device', '--json'], { killAfterMs: 60_000 });
    const code = parseEvent(await run.nextLine());
    await idp.user.denyDevice(String(code.verification_uri), String(code.user_code));

    const result = await run.done;
    expect(result.code, result.stderr).toBe(4);
    const events = jsonEvents(result.stdout);
    expect(events.map((event) => event.event)).toEqual(['device_code', 'error']);
    expect(events[1]).toMatchObject({ code: 'ACCESS_DENIED' });
    expectCleanFailure(result.stderr, new RegExp(`^authctl: .*${String(code.user_code)}.* denied`, 'im'));
    expect(await sandbox.credentialFiles()).toEqual([]);
  });
});
