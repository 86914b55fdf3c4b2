import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { devProfileTest as test } from './support/fixtures.js';
import { introspect } from './support/idp-checks.js';
import { AUTHCTL, type Sandbox } from './support/sandbox.js';

/** A child that prints one environment variable, so the test sees what exec handed over. */
const PRINT_VARIABLE = (name: string) => [process.execPath, '-e', `process.stdout.write(process.env.${name} ?? '<unset>')`];

async function loginAsServiceAccount(sandbox: Sandbox): Promise<string> {
  const login = await sandbox.run(['login', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: 'svc-secret' } });
  expect(login.code, login.stderr).toBe(0);
  return (JSON.parse(await readFile(sandbox.credentialFile('dev'), 'utf8')) as { tokens: { access_token: string } }).tokens.access_token;
}

describe('authctl exec -- CMD', () => {
  test('runs CMD with the live access token in ACCESS_TOKEN, CMD’s stdout being its own', async ({ idp, sandbox }) => {
    const token = await loginAsServiceAccount(sandbox);
    const result = await sandbox.run(['exec', '--', ...PRINT_VARIABLE('ACCESS_TOKEN')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(token);
    expect((await introspect(idp, result.stdout)).active).toBe(true);
  });

  test('--env NAME chooses the variable', async ({ sandbox }) => {
    const token = await loginAsServiceAccount(sandbox);
    const result = await sandbox.run(['exec', '--env', 'INFLUX_TOKEN', '--', ...PRINT_VARIABLE('INFLUX_TOKEN')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(token);
    expect((await sandbox.run(['exec', '--env', 'NOT-A-NAME', '--', 'true'])).code).toBe(2);
  });

  test('CMD’s exit code is authctl’s: exec -- node -e "process.exit(7)" exits 7', async ({ sandbox }) => {
    await loginAsServiceAccount(sandbox);
    expect((await sandbox.run(['exec', '--', process.execPath, '-e', 'process.exit(7)'])).code).toBe(7);
    expect((await sandbox.run(['exec', '--', process.execPath, '-e', 'process.exit(0)'])).code).toBe(0);
  });

  test('CMD killed by a signal: authctl dies of the same signal', async ({ sandbox }) => {
    await loginAsServiceAccount(sandbox);
    const child = spawn(process.execPath, [AUTHCTL, 'exec', '--', process.execPath, '-e', "process.kill(process.pid, 'SIGTERM')"], {
      env: sandbox.env(),
      stdio: 'ignore',
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (...ended) => resolve(ended)));
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
  });

  test('stdin is CMD’s own', async ({ sandbox }) => {
    await loginAsServiceAccount(sandbox);
    const result = await sandbox.run(['exec', '--', process.execPath, '-e', 'process.stdin.pipe(process.stdout)'], { input: 'from the pipe\n' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('from the pipe\n');
  });

  test('nobody logged in: exit 3 with one line on stderr, and CMD never runs', async ({ sandbox }) => {
    const marker = join(sandbox.home, 'ran');
    const result = await sandbox.run(['exec', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`]);
    expect(result.code).toBe(3);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^authctl: .*authctl login --profile dev/);
    expect(existsSync(marker)).toBe(false);
  });

  test('a CMD that does not exist: exit 127 as in a shell, naming it on one line', async ({ sandbox }) => {
    await loginAsServiceAccount(sandbox);
    const result = await sandbox.run(['exec', '--', 'no-such-command-authctl-test']);
    expect(result.code, result.stderr).toBe(127);
    expect(result.stderr).toMatch(/^authctl: cannot run "no-such-command-authctl-test": command not found \(check .*PATH/);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  test('a CMD that is not executable: exit 126 as in a shell', async ({ sandbox }) => {
    await loginAsServiceAccount(sandbox);
    const script = join(sandbox.home, 'not-executable.sh');
    await writeFile(script, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    const result = await sandbox.run(['exec', '--', script]);
    expect(result.code).toBe(126);
    expect(result.stderr).toContain(`authctl: cannot run "${script}": permission denied`);
  });
});
