import type { TestIdP } from '@auth/testkit';
import { describe, expect } from 'vitest';
import { STACK_FRAME, type Sandbox } from '../support/sandbox.js';
import { flowTest as test } from './support/flow-fixtures.js';
import { expectLoginEvents, parseEvent } from './support/json-events.js';
import { printLiveToken } from './support/live-token.js';

/** Where the code flow sends the browser when the profile names no code_redirect_uri. */
const PASTE_REDIRECT = 'http://127.0.0.1/callback';

/**
 * A paste-the-code login: the person signs in elsewhere and types
 * `paste(redirectedUrl)` into authctl's stdin.
 */
async function pasteTheCode(idp: TestIdP, sandbox: Sandbox, args: string[], paste: (redirected: URL) => string) {
  const run = sandbox.start(['login', ...args, '--json'], { killAfterMs: 60_000 });
  const open = parseEvent(await run.nextLine());
  expect(open).toEqual({ event: 'open_url', url: expect.stringMatching(new RegExp(`^${idp.issuer}/auth\\?`)) });
  expect(new URL(String(open.url)).searchParams.get('redirect_uri')).toBe(PASTE_REDIRECT);
  const redirected = new URL(await idp.user.authorize(String(open.url), PASTE_REDIRECT));
  run.write(`${paste(redirected)}\n`);
  return run.done;
}

describe('paste-the-code flow (kxi --force-code)', () => {
  test('login --force-code --json: pasting the whole redirected URL logs in', async ({ idp, sandbox }) => {
    const result = await pasteTheCode(idp, sandbox, ['--force-code'], (redirected) => redirected.href);
    expectLoginEvents(result, 'open_url');
    await printLiveToken(idp, sandbox);
  });

  test('login --flow code --json: pasting only the code logs in', async ({ idp, sandbox }) => {
    const result = await pasteTheCode(idp, sandbox, ['--flow', 'code'], (redirected) => {
      const code = redirected.searchParams.get('code');
      expect(code).toBeTruthy();
      return code!;
    });
    expectLoginEvents(result, 'open_url');
    await printLiveToken(idp, sandbox);
  });

  test('RFC 6749 §5.2: a code pasted a second time (invalid_grant) exits 4 with one plain sentence and how to start again; nothing is stored', async ({ idp, sandbox }) => {
    let code = '';
    const first = await pasteTheCode(idp, sandbox, ['--flow', 'code'], (redirected) => (code = redirected.searchParams.get('code') ?? ''));
    expectLoginEvents(first, 'open_url');
    await sandbox.run(['logout']);

    const again = sandbox.start(['login', '--flow', 'code'], { killAfterMs: 60_000 });
    await again.expect(/Enter the authorization code/, 'stderr');
    again.write(`${code}\n`);
    const result = await again.done;
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain(
      'authctl: The pasted code was not accepted: it is wrong, already used or expired; a code is usually valid for 60 seconds\n' +
        'hint: run `authctl login --profile dev --flow code` again, and paste the new code at once\n',
    );
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(await sandbox.credentialFiles()).toEqual([]);
  });
});
