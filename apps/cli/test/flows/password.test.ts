import { describe, expect } from 'vitest';
import { STACK_FRAME } from '../support/sandbox.js';
import { flowTest as test } from './support/flow-fixtures.js';
import { filesContaining, readTree } from './support/files-containing.js';
import { printLiveToken } from './support/live-token.js';
import { ALICE } from './support/password-login.js';
import { storedTokens } from './support/stored-tokens.js';

describe('password flow (RFC 6749 §4.3, kms --email/--password)', () => {
  test('login --flow password with AUTHCTL_PASSWORD logs in, and the password is written to no file at all', async ({ idp, sandbox }) => {
    const env = { AUTHCTL_PASSWORD: ALICE.password };
    const login = await sandbox.run(['login', '--flow', 'password', '--username', ALICE.username], { env });
    expect(login.code, login.stderr).toBe(0);
    const { token, introspection } = await printLiveToken(idp, sandbox, env);
    expect(introspection.sub).toBe(ALICE.username);
    const status = await sandbox.run(['status', '--json'], { env });
    expect(status.code, status.stderr).toBe(0);

    // The store holds the tokens (so the search below reads real credential files), never the password.
    expect((await storedTokens(sandbox)).access_token).toBe(token);
    expect([...(await readTree(sandbox.home)).keys()]).toContain(sandbox.credentialFile('dev'));
    expect(await filesContaining(sandbox.home, ALICE.password)).toEqual([]);
    for (const output of [login.stdout, login.stderr, status.stdout, status.stderr]) {
      expect(output).not.toContain(ALICE.password);
    }
  });

  test('a wrong password → exit 4, a message naming the user, no stack, and no password echoed', async ({ sandbox }) => {
    const wrong = 'not-alices-password';
    const result = await sandbox.run(['login', '--flow', 'password', '--username', ALICE.username], { env: { AUTHCTL_PASSWORD: wrong } });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(new RegExp(`^authctl: .*password.*${ALICE.username}`, 'im'));
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stderr + result.stdout).not.toContain(wrong);
    expect(await sandbox.credentialFiles()).toEqual([]);
    expect(await filesContaining(sandbox.home, wrong)).toEqual([]);
  });
});
