import { chmod, writeFile } from 'node:fs/promises';
import { startBlackhole } from '@auth/testkit';
import { describe, expect } from 'vitest';
import { devProfileTest as test } from './support/fixtures.js';
import { configToml, idpProfile } from './support/profiles.js';
import { STACK_FRAME, type RunResult, type Sandbox } from './support/sandbox.js';

const CLIENT_SECRET = 'svc-secret';

/**
 * Every failure: the documented exit code, `authctl: ...` naming the culprit, a hint (print-token: on the
 * same single line, in parentheses; otherwise on a `hint:` line), no stack, no secret.
 */
function expectCleanFailure(result: RunResult, code: number, names: string, printToken = false): void {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stderr).toMatch(/^authctl: /);
  expect(result.stderr).toContain(names);
  expect(result.stderr).toMatch(printToken ? /^authctl: [^\n]+ \([^\n]+\)\n$/ : /^hint: /m);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.stderr + result.stdout).not.toContain(CLIENT_SECRET);
}

async function loginServiceAccount(sandbox: Sandbox): Promise<void> {
  const result = await sandbox.run(['login', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: CLIENT_SECRET } });
  expect(result.code, result.stderr).toBe(0);
}

describe('bad input gives the documented exit code and a message naming the file, profile or URL', () => {
  test('malformed config.toml: exit 2, names the file', async ({ sandbox }) => {
    await writeFile(sandbox.configFile, '[profiles.dev\nprovider = "oidc"\n', { mode: 0o600 });
    for (const args of [['print-token'], ['status'], ['login', '--serviceaccount']]) {
      const result = await sandbox.run(args, { env: { AUTHCTL_CLIENT_SECRET: CLIENT_SECRET } });
      expectCleanFailure(result, 2, sandbox.configFile, args[0] === 'print-token');
    }
  });

  test('unknown profile: exit 2, names the profile', async ({ sandbox }) => {
    expectCleanFailure(await sandbox.run(['--profile', 'nope', 'print-token']), 2, '"nope"', true);
    expectCleanFailure(await sandbox.run(['status'], { env: { AUTHCTL_PROFILE: 'ghost' } }), 2, '"ghost"');
  });

  test('corrupt credential file: exit 3, names the file', async ({ sandbox }) => {
    await loginServiceAccount(sandbox);
    await writeFile(sandbox.credentialFile('dev'), '{"kind":"oauth","tokens":', { mode: 0o600 });
    expectCleanFailure(await sandbox.run(['print-token']), 3, sandbox.credentialFile('dev'), true);
    expectCleanFailure(await sandbox.run(['status']), 3, sandbox.credentialFile('dev'));
  });

  test('world-readable credential file: exit 2, names the file', async ({ sandbox }) => {
    await loginServiceAccount(sandbox);
    await chmod(sandbox.credentialFile('dev'), 0o644);
    const result = await sandbox.run(['print-token']);
    expectCleanFailure(result, 2, sandbox.credentialFile('dev'), true);
    expect(result.stdout).toBe('');
  });

  test('unreachable IdP (accepts, never answers) with timeout = 1: exit 5 within a few seconds, names the URL', async ({ sandbox }) => {
    const blackhole = await startBlackhole();
    try {
      await sandbox.writeConfig(configToml({ dev: idpProfile(blackhole.url, { timeout: 1 }) }, 'dev'));
      // Killed after 20 s: a hang would show up as a null exit code, not as a slow pass.
      const result = await sandbox.run(['login', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: CLIENT_SECRET }, killAfterMs: 20_000 });
      expectCleanFailure(result, 5, new URL(blackhole.url).host);
    } finally {
      await blackhole.close();
    }
  });

  test('http:// issuer on a non-loopback host: exit 2, names the URL', async ({ idp, sandbox }) => {
    await sandbox.writeConfig(configToml({ dev: idpProfile('http://idp.example.com/realms/insights') }, 'dev'));
    for (const args of [['login', '--serviceaccount'], ['print-token']]) {
      const result = await sandbox.run(args, { env: { AUTHCTL_CLIENT_SECRET: CLIENT_SECRET } });
      expectCleanFailure(result, 2, 'http://idp.example.com/realms/insights', args[0] === 'print-token');
    }
  });

  test('--json adds one {"event":"error"} line on stdout with the stable code', async ({ sandbox }) => {
    const result = await sandbox.run(['--json', '--profile', 'nope', 'status']);
    expect(result.code).toBe(2);
    const event = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(event).toEqual({ event: 'error', code: 'PROFILE_NOT_FOUND', message: expect.stringContaining('"nope"'), hint: expect.any(String) });
  });

  test('usage errors (unknown command, unknown flow) exit 2 with a hint and no stack', async ({ sandbox }) => {
    for (const args of [['frobnicate'], ['login', '--flow', 'telepathy'], ['login', '--port', 'abc'], ['login', '--force-code', '--serviceaccount']]) {
      const result = await sandbox.run(args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(/^authctl: /);
      expect(result.stderr).toMatch(/^hint: /m);
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
  });
});
