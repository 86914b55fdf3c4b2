import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestIdP } from '@auth/testkit';
import { describe, expect } from 'vitest';
import { devProfileTest as test } from './support/fixtures.js';
import type { Sandbox } from './support/sandbox.js';

/** The content of a file some child process writes, once it exists (at most 5 s). */
async function written(file: string): Promise<string> {
  for (let attempt = 0; attempt < 100 && !existsSync(file); attempt += 1) await sleep(50);
  return readFile(file, 'utf8');
}

/** The authorization URL authctl printed, signed in to by the headless user, and its callback delivered to authctl. */
async function completeAtLoopback(idp: TestIdP, url: string): Promise<void> {
  const redirectUri = new URL(url).searchParams.get('redirect_uri')!;
  const callback = await fetch(await idp.user.authorize(url, redirectUri), { signal: AbortSignal.timeout(10_000) });
  expect(callback.status).toBe(200);
}

const URL_LINES = /To log in, open this URL in a browser:\n {2}\S+\n/;

function printedUrl(lines: string): string {
  return lines.trim().split(/\s+/).at(-1)!;
}

/**
 * An `xdg-open` first on PATH that records every call: what authctl runs on
 * a Linux desktop session when BROWSER is not set. Nothing is opened.
 */
async function recordingXdgOpen(sandbox: Sandbox): Promise<{ path: string; log: string }> {
  const bin = join(sandbox.home, 'bin');
  const log = join(sandbox.home, 'xdg-open.log');
  await mkdir(bin);
  await writeFile(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\n`);
  await chmod(join(bin, 'xdg-open'), 0o755);
  return { path: `${bin}:${process.env.PATH}`, log };
}

/** Nothing of the machine running the tests leaks in: each case sets what it is about. */
const NEUTRAL = { BROWSER: '', DISPLAY: '', WAYLAND_DISPLAY: '', SSH_CONNECTION: '', SSH_TTY: '', WSL_DISTRO_NAME: '' };

const BLOCKED = [
  { name: 'no display (DISPLAY and WAYLAND_DISPLAY unset)', env: {}, reason: /there is no display/ },
  { name: 'an SSH session (SSH_CONNECTION), even with X forwarding', env: { DISPLAY: ':0', SSH_CONNECTION: '192.0.2.1 50000 192.0.2.2 22' }, reason: /SSH session/ },
  { name: 'an SSH session (SSH_TTY)', env: { DISPLAY: ':0', SSH_TTY: '/dev/pts/3' }, reason: /SSH session/ },
  { name: 'WSL (WSL_DISTRO_NAME), even with WSLg’s DISPLAY', env: { DISPLAY: ':0', WSL_DISTRO_NAME: 'Debian' }, reason: /WSL/ },
];

describe('browser flow where no browser can be opened', () => {
  test.for(BLOCKED)('$name: the URL and a hint to use --flow device or --flow code, no browser started, the loopback login still works', async (
    { env, reason },
    { idp, sandbox },
  ) => {
    const xdgOpen = await recordingXdgOpen(sandbox);
    const run = sandbox.start(['login', '--flow', 'browser'], { env: { ...NEUTRAL, ...env, PATH: xdgOpen.path }, killAfterMs: 60_000 });
    const url = printedUrl(await run.expect(URL_LINES, 'stderr'));
    const explained = await run.expect(/^No browser opened: .*\nhint: .*\n/m, 'stderr');
    expect(explained).toMatch(reason);
    expect(explained).toMatch(/`authctl login --flow device` \(or `--flow code`\)/);

    // Whoever opens the URL on this machine completes the login through the loopback callback.
    await completeAtLoopback(idp, url);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/Could not open a browser/);
    expect(existsSync(xdgOpen.log)).toBe(false);
  });

  test('on a desktop session (DISPLAY set, no SSH, not WSL) xdg-open is started with the URL, and no hint is printed', async ({
    idp,
    sandbox,
  }) => {
    const xdgOpen = await recordingXdgOpen(sandbox);
    const run = sandbox.start(['login', '--flow', 'browser'], { env: { ...NEUTRAL, DISPLAY: ':0', PATH: xdgOpen.path }, killAfterMs: 60_000 });
    const url = printedUrl(await run.expect(URL_LINES, 'stderr'));
    expect(await written(xdgOpen.log)).toBe(`${url}\n`);

    await completeAtLoopback(idp, url);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/No browser opened|hint:/);
  });

  test('BROWSER wins over SSH: whoever set it knows how to open one', async ({ idp, sandbox }) => {
    const log = join(sandbox.home, 'browser.log');
    const browser = join(sandbox.home, 'my-browser');
    await writeFile(browser, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${log}'\n`);
    await chmod(browser, 0o755);
    const run = sandbox.start(['login', '--flow', 'browser'], {
      env: { ...NEUTRAL, BROWSER: browser, SSH_CONNECTION: '192.0.2.1 50000 192.0.2.2 22' },
      killAfterMs: 60_000,
    });
    const url = printedUrl(await run.expect(URL_LINES, 'stderr'));
    expect(await written(log)).toBe(`${url}\n`);
    await completeAtLoopback(idp, url);
    expect((await run.done).code).toBe(0);
  });
});
