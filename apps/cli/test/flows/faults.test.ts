import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HOSTILE_TOKEN_ANSWERS, startAnswering, startSocketDestroyer, type HostileServer } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { STACK_FRAME } from '../support/sandbox.js';
import { configToml, idpProfile } from '../support/profiles.js';
import { flowTest } from './support/flow-fixtures.js';
import { redateStoredLogin } from './support/token-expiry.js';
import { loginAsAlice } from './support/password-login.js';

/** Enough runs to catch a failure that shows in 8 of 10 (Node's fetch leaving such a request pending). */
const RUNS = 10;
/** Inside the refresh window of a one-hour token, not expired. */
const IN_REFRESH_WINDOW = 20;
const EXPIRED = -10;

/** The flow tests' sandbox, its profile with a short per-request timeout: a request left pending ends quickly. */
const test = flowTest.extend<{ shortTimeout: void }>({
  shortTimeout: [
    async ({ idp, sandbox }, use) => {
      await sandbox.writeConfig(configToml({ dev: idpProfile(idp.issuer, { timeout: 1 }) }, 'dev'));
      await use();
    },
    { auto: true },
  ],
});

const servers: Record<string, HostileServer> = {};
let destroyer: HostileServer;
beforeAll(async () => {
  destroyer = await startSocketDestroyer();
  for (const [name, answer] of Object.entries(HOSTILE_TOKEN_ANSWERS)) servers[name] = await startAnswering((_request, response) => answer(response));
});
afterAll(async () => {
  await Promise.all([destroyer, ...Object.values(servers)].map((server) => server.close()));
});

describe('authctl under a failing IdP: never a silent success', () => {
  test(`an IdP that accepts the connection and drops it during a refresh: print-token exits 5 naming the URL, ${RUNS} runs out of ${RUNS}`, async ({
    sandbox,
  }) => {
    await loginAsAlice(sandbox);
    const tokenUrl = `${destroyer.url}/token`;
    await redateStoredLogin(sandbox, EXPIRED, tokenUrl);

    const results = await Promise.all(Array.from({ length: RUNS }, () => sandbox.run(['print-token'], { killAfterMs: 30_000 })));
    for (const result of results) {
      expect(result.code, result.stderr).toBe(5);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(tokenUrl);
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
  });

  test('the same IdP: exec -- CMD exits 5 and CMD never runs', async ({ sandbox }) => {
    await loginAsAlice(sandbox);
    const tokenUrl = `${destroyer.url}/token`;
    await redateStoredLogin(sandbox, EXPIRED, tokenUrl);
    const marker = join(sandbox.home, 'ran');

    const results = await Promise.all(
      Array.from({ length: 3 }, () => sandbox.run(['exec', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`])),
    );
    for (const result of results) {
      expect(result.code, result.stderr).toBe(5);
      expect(result.stderr).toContain(tokenUrl);
    }
    expect(existsSync(marker)).toBe(false);
  });

  test('inside the refresh window, whatever the failed refresh answered, print-token prints the still-valid cached token', async ({ sandbox }) => {
    await loginAsAlice(sandbox);
    for (const [failure, server] of Object.entries({ ...servers, 'a dropped connection': destroyer })) {
      const cached = await redateStoredLogin(sandbox, IN_REFRESH_WINDOW, `${server.url}/token`);
      const printed = await sandbox.run(['print-token']);
      expect(printed.code, `${failure}: ${printed.stderr}`).toBe(0);
      expect(printed.stdout, failure).toBe(`${cached}\n`);
    }
  });

  test('once expired, whatever the failed refresh answered, print-token prints nothing and exits 5 naming the token URL', async ({ sandbox }) => {
    await loginAsAlice(sandbox);
    for (const [failure, server] of Object.entries(servers)) {
      const tokenUrl = `${server.url}/token`;
      await redateStoredLogin(sandbox, EXPIRED, tokenUrl);
      const printed = await sandbox.run(['print-token', '--header']);
      expect(printed.code, `${failure}: ${printed.stderr}`).toBe(5);
      expect(printed.stdout, failure).toBe('');
      expect(printed.stderr, failure).toContain(tokenUrl);
      expect(printed.stderr, failure).not.toContain('X-Injected');
    }
  });
});

describe('authctl on hostile input: nothing that could forge output is printed', () => {
  const injecting = 'an access token with CR LF and a header after it';

  test('login at an IdP that issues an access token with CR LF: exit 5 naming the token URL, nothing stored', async ({ sandbox }) => {
    const tokenUrl = `${servers[injecting]!.url}/token`;
    await sandbox.writeConfig(configToml({ dev: { provider: 'oidc', client_id: 'authctl', token_url: tokenUrl, flow: 'password' } }, 'dev'));

    const result = await sandbox.run(['login', '--username', 'alice'], { env: { AUTHCTL_PASSWORD: 'alice-password' } });

    expect(result.code, result.stderr).toBe(5);
    expect(result.stderr).toContain(tokenUrl);
    expect(result.stdout + result.stderr).not.toContain('X-Injected');
    expect(await sandbox.credentialFiles()).toEqual([]);
  });

  test('a stored access token with CR LF is never printed: print-token --header exits 3 naming the file', async ({ sandbox }) => {
    await loginAsAlice(sandbox);
    const file = sandbox.credentialFile('dev');
    const credential = JSON.parse(await readFile(file, 'utf8')) as { tokens: { access_token: string } };
    credential.tokens.access_token = 'abc\r\nX-Injected: yes';
    await writeFile(file, JSON.stringify(credential), { mode: 0o600 });

    const result = await sandbox.run(['print-token', '--header']);

    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(file);
    expect(result.stderr).not.toContain('X-Injected');
  });

  test('AUTHCTL_TOKEN with CR LF: print-token --header and exec exit 2 naming AUTHCTL_TOKEN, print nothing, run nothing', async ({ sandbox }) => {
    const env = { AUTHCTL_TOKEN: 'abc\r\nX-Injected: yes' };
    const marker = join(sandbox.home, 'ran');

    const printed = await sandbox.run(['print-token', '--header'], { env });
    const executed = await sandbox.run(['exec', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], { env });

    for (const result of [printed, executed]) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('AUTHCTL_TOKEN');
      expect(result.stderr).not.toContain('X-Injected');
    }
    expect(existsSync(marker)).toBe(false);
  });

  test('timeout = 1e308 (every timer would fire at once): exit 2 naming the key and the file', async ({ idp, sandbox }) => {
    await sandbox.writeConfig(`default_profile = "dev"\n\n[profiles.dev]\nprovider = "oidc"\nissuer = "${idp.issuer}"\nclient_id = "authctl"\ntimeout = 1e308\n`);

    const result = await sandbox.run(['login', '--username', 'alice'], { env: { AUTHCTL_PASSWORD: 'alice-password' } });

    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('profiles.dev.timeout');
    expect(result.stderr).toContain(sandbox.configFile);
  });
});
