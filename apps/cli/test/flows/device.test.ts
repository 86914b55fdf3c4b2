import { describe, expect } from 'vitest';
import { introspect } from '../support/idp-checks.js';
import { STACK_FRAME } from '../support/sandbox.js';
import { flowTest as test } from './support/flow-fixtures.js';
import { expectLoggedIn, jsonEvents, parseEvent, type JsonEvent } from './support/json-events.js';

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
    const run = sandbox.start(['login', '--flow', 'device', '--json'], { killAfterMs: 60_000 });
    const code = parseEvent(await run.nextLine());
    expectDeviceCodeEvent(code, idp.issuer);
    await idp.user.approveDevice(String(code.verification_uri), String(code.user_code));

    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    const events = jsonEvents(result.stdout);
    expect(events.map((event) => event.event)).toEqual(['device_code', 'logged_in']);
    expectLoggedIn(events[1]);

    const printed = await sandbox.run(['print-token']);
    expect(printed.code, printed.stderr).toBe(0);
    const live = await introspect(idp, printed.stdout.trimEnd());
    expect(live.active).toBe(true);
    expect(live.sub).toBe('alice');
  });

  test('RFC 8628 §3.5: slow_down adds 5 seconds to the polling interval', async ({ idp, sandbox }) => {
    idp.slowDownNext(1);
    const run = sandbox.start(['login', '--flow', 'device', '--json'], { killAfterMs: 60_000 });
    const code = parseEvent(await run.nextLine());
    expectDeviceCodeEvent(code, idp.issuer);
    await idp.user.approveDevice(String(code.verification_uri), String(code.user_code));

    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expectLoggedIn(jsonEvents(result.stdout)[1]);
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
    expect(idp.grantCount('urn:ietf:params:oauth:grant-type:device_code')).toBeGreaterThanOrEqual(1);
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
  });
});
