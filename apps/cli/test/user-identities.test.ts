import { describe, expect } from 'vitest';
import { expectLoginEvents, parseEvent } from './flows/support/json-events.js';
import { printLiveToken } from './flows/support/live-token.js';
import { readTree } from './flows/support/files-containing.js';
import { devProfileTest as test } from './support/fixtures.js';
import { introspect } from './support/idp-checks.js';
import { STACK_FRAME, type Sandbox } from './support/sandbox.js';

type Person = 'alice' | 'bob';
const passwordOf = (person: Person) => ({ AUTHCTL_PASSWORD: `${person}-password` });
const loginArgs = (person: Person) => ['login', '--flow', 'password', '--username', person];

async function loginAs(sandbox: Sandbox, person: Person, extra: string[] = []) {
  const result = await sandbox.run([...loginArgs(person), ...extra], { env: passwordOf(person) });
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** `user list --json`, parsed. */
async function identities(sandbox: Sandbox): Promise<Array<{ identity: string; active: boolean; flow: string; expires_at: number }>> {
  const listed = await sandbox.run(['user', 'list', '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout);
}

const names = async (sandbox: Sandbox) => (await identities(sandbox)).map(({ identity, active }) => `${active ? '*' : ''}${identity}`);

describe('several identities per profile (gh auth switch, kms user switch)', () => {
  test('two identities in one profile: user list marks the active one, user switch swaps them, print-token follows (IdP introspection names the user)', async ({
    idp,
    sandbox,
  }) => {
    await loginAs(sandbox, 'alice');
    const bobLogin = await loginAs(sandbox, 'bob');
    expect(bobLogin.stderr).toContain('Identity: bob; also stored: alice');

    const listed = await identities(sandbox);
    expect(listed).toEqual([
      { identity: 'alice', active: false, flow: 'password', expires_at: expect.any(Number) },
      { identity: 'bob', active: true, flow: 'password', expires_at: expect.any(Number) },
    ]);
    expect((await printLiveToken(idp, sandbox)).introspection.sub).toBe('bob');

    const switched = await sandbox.run(['user', 'switch', 'alice']);
    expect(switched.code, switched.stderr).toBe(0);
    expect(switched.stderr).toContain('Profile "dev" now uses alice; bob stays stored');
    expect((await printLiveToken(idp, sandbox)).introspection.sub).toBe('alice');
    const status = await sandbox.run(['status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ identity: 'alice', logged_in: true });
    const human = await sandbox.run(['user', 'list']);
    expect(human.stdout.split('\n').filter(Boolean).map((line) => line.split(/\s+/).slice(0, 3).join(' '))).toEqual(['* alice password', ' bob password']);

    // logout is about the active identity only.
    expect((await sandbox.run(['logout'])).code).toBe(0);
    expect(await names(sandbox)).toEqual(['bob']);
    expect((await sandbox.run(['print-token'])).code).toBe(3);
  });

  test('profile delete removes every identity stored for the profile, not only the active one', async ({ sandbox }) => {
    await loginAs(sandbox, 'alice');
    await loginAs(sandbox, 'bob');
    expect(await names(sandbox)).toEqual(['alice', '*bob']);

    const deleted = await sandbox.run(['profile', 'delete', 'dev', '--yes', '--json']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ event: 'profile_deleted', profile: 'dev', credentials_deleted: 2 });
    expect(await sandbox.credentialFiles()).toEqual([]);
  });

  test('user switch without a name: a choice on a terminal (arrow down, Enter), a usage error naming them elsewhere, the only other one without asking', async ({
    idp,
    sandbox,
  }) => {
    await loginAs(sandbox, 'alice');
    await loginAs(sandbox, 'bob');
    const service = await sandbox.run(['login', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: idp.clients.confidential.secret } });
    expect(service.code, service.stderr).toBe(0);
    expect(await names(sandbox)).toEqual(['alice', 'bob', '*svc']);

    const piped = await sandbox.run(['user', 'switch']);
    expect(piped.code).toBe(2);
    expect(piped.stderr).toMatch(/^authctl: name the identity to switch profile dev to: alice, bob$/m);
    expect(piped.stderr).not.toMatch(STACK_FRAME);
    expect(await names(sandbox)).toEqual(['alice', 'bob', '*svc']);

    const run = sandbox.startInTerminal(['user', 'switch']);
    await run.expect(/Switch profile dev to/);
    run.write('\x1b[B');
    await run.expect(/❯ bob/);
    run.write('\r');
    const chosen = await run.done;
    expect(chosen.code, chosen.stdout).toBe(0);
    expect((await printLiveToken(idp, sandbox)).introspection.sub).toBe('bob');

    expect((await sandbox.run(['user', 'remove', 'svc'])).code).toBe(0);
    const only = await sandbox.run(['user', 'switch']);
    expect(only.code, only.stderr).toBe(0);
    expect((await printLiveToken(idp, sandbox)).introspection.sub).toBe('alice');
  });

  test('user switch to an unknown identity exits 2 naming the stored ones, and changes no file', async ({ sandbox }) => {
    await loginAs(sandbox, 'alice');
    await loginAs(sandbox, 'bob');
    const before = await readTree(sandbox.credentialsDir);

    const result = await sandbox.run(['user', 'switch', 'carol']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^authctl: no identity "carol" in profile dev \(stored: alice, bob\)$/m);
    expect(result.stderr).toMatch(/^hint: .*authctl login --profile dev/m);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(await readTree(sandbox.credentialsDir)).toEqual(before);
  });

  test('user remove revokes a waiting identity at the IdP (RFC 7009); removing the last one leaves none active and print-token exits 3', async ({
    idp,
    sandbox,
  }) => {
    await loginAs(sandbox, 'alice');
    const { token: aliceToken } = await printLiveToken(idp, sandbox);
    await loginAs(sandbox, 'bob');

    const removed = await sandbox.run(['user', 'remove', 'alice', '--json']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({
      event: 'identity_removed',
      profile: 'dev',
      identity: 'alice',
      was_active: false,
      active: 'bob',
      revoked: true,
      deleted: true,
    });
    expect((await introspect(idp, aliceToken)).active).toBe(false);
    expect((await printLiveToken(idp, sandbox)).introspection.sub).toBe('bob');

    const last = await sandbox.run(['user', 'remove', 'bob']);
    expect(last.code, last.stderr).toBe(0);
    expect(last.stderr).toContain('Profile "dev" has no identity now');
    expect(await identities(sandbox)).toEqual([]);
    const printed = await sandbox.run(['print-token']);
    expect(printed.code).toBe(3);
    expect(printed.stdout).toBe('');
  });

  test('removing the active identity makes a remaining one active (as gh does): user list and print-token follow it', async ({ idp, sandbox }) => {
    await loginAs(sandbox, 'alice');
    await loginAs(sandbox, 'bob');
    expect(await names(sandbox)).toEqual(['alice', '*bob']);

    const removed = await sandbox.run(['user', 'remove', 'bob']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).toContain('Profile "dev" now uses alice');
    expect(await names(sandbox)).toEqual(['*alice']);
    const human = await sandbox.run(['user', 'list']);
    expect(human.stdout).toMatch(/^\* alice\s/m);
    expect((await printLiveToken(idp, sandbox)).introspection.sub).toBe('alice');
  });

  test('"not logged in" suggests `authctl user switch NAME` when another identity is stored', async ({ sandbox }) => {
    await loginAs(sandbox, 'alice');
    await loginAs(sandbox, 'bob');
    expect((await sandbox.run(['logout'])).code).toBe(0);

    const printed = await sandbox.run(['print-token']);
    expect(printed.code).toBe(3);
    expect(printed.stderr).toContain('authctl user switch alice --profile dev');
    const status = await sandbox.run(['status']);
    expect(status.code).toBe(3);
    expect(status.stderr).toContain('authctl user switch alice --profile dev');
  });
});

describe('logging in again as a stored identity: replaced without a question, except a person on a terminal is asked', () => {
  test('not on a terminal, logging in again as the same person replaces the stored login without a question', async ({ idp, sandbox }) => {
    await loginAs(sandbox, 'alice');
    const { token: first } = await printLiveToken(idp, sandbox);

    const again = await loginAs(sandbox, 'alice');
    expect(again.stderr).not.toContain('Replace');
    const { token: second, introspection } = await printLiveToken(idp, sandbox);
    expect(second).not.toBe(first);
    expect(introspection.sub).toBe('alice');
    expect(await names(sandbox)).toEqual(['*alice']);
  });

  test('a service account logging in twice in a row (a CI job on every run) replaces its login, piped or on a terminal, never asking', async ({
    idp,
    sandbox,
  }) => {
    const env = { AUTHCTL_CLIENT_SECRET: idp.clients.confidential.secret };
    const first = await sandbox.run(['login', '--serviceaccount'], { env });
    expect(first.code, first.stderr).toBe(0);
    const { token: firstToken } = await printLiveToken(idp, sandbox);

    const second = await sandbox.run(['login', '--serviceaccount'], { env });
    expect(second.code, second.stderr).toBe(0);
    const { token: secondToken } = await printLiveToken(idp, sandbox);
    expect(secondToken).not.toBe(firstToken);

    const onTerminal = await sandbox.startInTerminal(['login', '--serviceaccount'], { env }).done;
    expect(onTerminal.code, onTerminal.stdout).toBe(0);
    expect(onTerminal.stdout).not.toContain('Replace');
    expect((await printLiveToken(idp, sandbox)).token).not.toBe(secondToken);
    expect(await names(sandbox)).toEqual(['*svc']);
  });

  test('not on a terminal, a browser login as the same person twice replaces the first', async ({ idp, sandbox }) => {
    const browserLogin = async () => {
      const run = sandbox.start(['login', '--flow', 'browser', '--no-browser', '--json'], { killAfterMs: 60_000 });
      const url = String(parseEvent(await run.nextLine()).url);
      const callback = await idp.user.authorize(url, new URL(url).searchParams.get('redirect_uri')!);
      expect((await fetch(callback, { signal: AbortSignal.timeout(20_000) })).status).toBe(200);
      expectLoginEvents(await run.done, 'open_url');
      return (await printLiveToken(idp, sandbox)).token;
    };
    const first = await browserLogin();
    const second = await browserLogin();
    expect(second).not.toBe(first);
    expect(await names(sandbox)).toEqual(['*alice']);
  });

  test('on a terminal it asks "Replace the stored login of alice in profile dev? [y/N]": n keeps the login, y replaces it', async ({ idp, sandbox }) => {
    await loginAs(sandbox, 'alice');
    const { token: first } = await printLiveToken(idp, sandbox);
    const question = /Replace the stored login of alice in profile dev\? \[y\/N\]/;

    const declined = sandbox.startInTerminal(loginArgs('alice'), { env: passwordOf('alice') });
    await declined.expect(question);
    declined.write('n\r');
    expect((await declined.done).code).toBe(1);
    expect((await printLiveToken(idp, sandbox)).token).toBe(first);

    const accepted = sandbox.startInTerminal(loginArgs('alice'), { env: passwordOf('alice') });
    await accepted.expect(question);
    accepted.write('y\r');
    const result = await accepted.done;
    expect(result.code, result.stdout).toBe(0);
    const { token: second, introspection } = await printLiveToken(idp, sandbox);
    expect(second).not.toBe(first);
    expect(introspection.sub).toBe('alice');
  });
  test('on a terminal the browser login asks before the callback page says "Login complete"; the page waits for the answer', async ({ idp, sandbox }) => {
    await loginAs(sandbox, 'alice');
    const { token: first } = await printLiveToken(idp, sandbox);

    const run = sandbox.startInTerminal(['login', '--flow', 'browser', '--no-browser'], { killAfterMs: 50_000 });
    await run.expect(/open this URL in a browser:/);
    const url = (await run.expect(/http:\/\/\S+/)).trim();
    const callback = await idp.user.authorize(url, new URL(url).searchParams.get('redirect_uri')!);
    let answered = false;
    const page = fetch(callback, { signal: AbortSignal.timeout(30_000) }).then(async (response) => {
      answered = true;
      return { status: response.status, body: await response.text() };
    });
    await run.expect(/Replace the stored login of alice in profile dev\? \[y\/N\]/);
    expect(answered, 'the browser got its page before the question was answered').toBe(false);
    run.write('y\r');

    const shown = await page;
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('Login complete');
    expect((await run.done).code).toBe(0);
    expect((await printLiveToken(idp, sandbox)).token).not.toBe(first);
  });
});
