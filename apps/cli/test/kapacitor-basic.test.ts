import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startKapacitorDouble, type KapacitorDouble } from '@auth/testkit';
import { describe, expect } from 'vitest';
import { filesContaining } from './flows/support/files-containing.js';
import { test as base } from './support/fixtures.js';
import { TestKeyring } from './support/keyring.js';
import { configToml } from './support/profiles.js';
import type { RunResult, Sandbox } from './support/sandbox.js';

const JOHN = { username: 'johndoe', password: 'Pa5sw0Rd-7f3c1e' };
/** Every character the userinfo of KAPACITOR_URL must escape, in both parts (a username cannot hold `:`, RFC 7617 §2). */
const HARD = { username: 'ann o@x/%41', password: 'p:a@s/s%w o#rd?%41' };

/**
 * The kapacitor CLI's way of reading KAPACITOR_URL, in Go: `url.Parse`
 * (client/v1/client.go `New`), then a request on that URL, which net/http
 * sends with the userinfo as `Authorization: Basic`. It prints what it
 * parsed and the ping's status.
 */
const KAPACITOR_CLIENT_GO = `package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
)

func main() {
	u, err := url.Parse(os.Getenv("KAPACITOR_URL"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(10)
	}
	password, _ := u.User.Password()
	u.Path = "/kapacitor/v1/ping"
	resp, err := http.Get(u.String())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(11)
	}
	out, _ := json.Marshal(map[string]any{"username": u.User.Username(), "password": password, "status": resp.StatusCode})
	fmt.Println(string(out))
}
`;

const execFileAsync = promisify(execFile);

const test = base.extend<{ kapacitor: KapacitorDouble; kapacitorClient: string; kapProfile: void }>({
  kapacitor: [
    async ({}, use) => {
      const kapacitor = await startKapacitorDouble({ users: { [JOHN.username]: JOHN.password, [HARD.username]: HARD.password } });
      await use(kapacitor);
      await kapacitor.close();
    },
    { scope: 'file' },
  ],
  // Built with the Go toolchain on PATH (a missing one fails the test: the point is Go's own URL rules); a cold build takes a while.
  kapacitorClient: [
    async ({}, use) => {
      const dir = await mkdtemp(join(tmpdir(), 'kapacitor-client-'));
      await writeFile(join(dir, 'main.go'), KAPACITOR_CLIENT_GO);
      await execFileAsync('go', ['build', '-o', join(dir, 'kapacitor-client'), join(dir, 'main.go')], { cwd: dir, env: { ...process.env, GO111MODULE: 'off' } });
      await use(join(dir, 'kapacitor-client'));
      await rm(dir, { recursive: true, force: true });
    },
    { scope: 'file' },
  ],
  kapProfile: [
    async ({ kapacitor, sandbox }, use) => {
      await sandbox.writeConfig(configToml({ kap: { provider: 'kapacitor', url: kapacitor.url, username: JOHN.username } }, 'kap'));
      await use();
    },
    { auto: true },
  ],
});

async function loginJohn(sandbox: Sandbox): Promise<RunResult> {
  const login = await sandbox.run(['login', '--password-stdin'], { input: `${JOHN.password}\n` });
  expect(login.code, login.stderr).toBe(0);
  return login;
}

function basicLine(credential: { username: string; password: string }): string {
  return `Authorization: Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}\n`;
}

describe('authctl login --profile kap: Kapacitor Basic credentials, proved by a ping, then stored', () => {
  test('--password-stdin, username from the profile: GET /kapacitor/v1/ping with Basic credentials, then a 0600 file in a 0700 folder; the password never on stdout or stderr', async ({
    kapacitor,
    sandbox,
  }) => {
    const login = await loginJohn(sandbox);
    expect(kapacitor.requests.at(-1)).toEqual({ method: 'GET', path: '/kapacitor/v1/ping', credentials: JOHN });
    expect(login.stderr).toContain('Logged in to profile "kap" as johndoe');
    for (const output of [login.stdout, login.stderr]) expect(output).not.toContain(JOHN.password);

    const file = sandbox.credentialFile('kap');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(sandbox.credentialsDir)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ kind: 'basic', ...JOHN });
    expect(await filesContaining(sandbox.home, JOHN.password)).toEqual([file]);
  });

  test('AUTHCTL_PASSWORD and --username; a second login replaces the first; --json says logged_in with the username', async ({ kapacitor, sandbox }) => {
    await loginJohn(sandbox);
    const again = await sandbox.run(['login', '--json', '--username', HARD.username], { env: { AUTHCTL_PASSWORD: HARD.password } });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ event: 'logged_in', profile: 'kap', username: HARD.username, credential: 'basic' });
    expect(kapacitor.requests.at(-1)?.credentials).toEqual(HARD);
    expect(again.stdout + again.stderr).not.toContain(HARD.password);
    expect(JSON.parse(await readFile(sandbox.credentialFile('kap'), 'utf8'))).toEqual({ kind: 'basic', ...HARD });
  });

  test('no username anywhere: asked for on stdin before the password', async ({ kapacitor, sandbox }) => {
    await sandbox.writeConfig(configToml({ kap: { provider: 'kapacitor', url: kapacitor.url } }, 'kap'));
    const login = await sandbox.run(['login', '--password-stdin'], { input: `${JOHN.username}\n${JOHN.password}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toContain('Username');
    expect(JSON.parse(await readFile(sandbox.credentialFile('kap'), 'utf8'))).toMatchObject({ username: JOHN.username });
  });

  test('a wrong password: exit 4 quoting Kapacitor ("authorization failed") and the URL; nothing stored, the earlier login kept', async ({ kapacitor, sandbox }) => {
    await loginJohn(sandbox);
    const stored = await readFile(sandbox.credentialFile('kap'), 'utf8');
    const refused = await sandbox.run(['login'], { env: { AUTHCTL_PASSWORD: 'wrong-password-93b2' } });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(`Kapacitor at ${kapacitor.url}/kapacitor/v1/ping refused the credentials of johndoe: authorization failed`);
    expect(refused.stdout + refused.stderr).not.toContain('wrong-password-93b2');
    expect(await readFile(sandbox.credentialFile('kap'), 'utf8')).toBe(stored);
    expect(await filesContaining(sandbox.home, 'wrong-password-93b2')).toEqual([]);
  });

  test('Kapacitor unreachable: exit 5 naming the URL, nothing stored', async ({ sandbox }) => {
    const gone = await startKapacitorDouble({ users: {} });
    await gone.close();
    await sandbox.writeConfig(configToml({ kap: { provider: 'kapacitor', url: gone.url, username: JOHN.username } }, 'kap'));
    const failed = await sandbox.run(['login', '--password-stdin'], { input: `${JOHN.password}\n` });
    expect(failed.code, failed.stderr).toBe(5);
    expect(failed.stderr).toContain(gone.url);
    expect(await sandbox.credentialFiles()).toEqual([]);
  });

  test('--verbose traces the ping with the credentials redacted', async ({ sandbox }) => {
    const login = await sandbox.run(['login', '--verbose', '--password-stdin'], { input: `${JOHN.password}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toMatch(/^> authorization: Basic \[redacted\]$/m);
    expect(login.stderr).not.toContain(Buffer.from(`${JOHN.username}:${JOHN.password}`).toString('base64'));
    expect(login.stderr).not.toContain(JOHN.password);
  });

  test('kms --password in argv is accepted with a warning that never repeats it', async ({ sandbox }) => {
    const login = await sandbox.run(['login', '--password', JOHN.password]);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toMatch(/^warning: --password on the command line can be read by other users/m);
    expect(login.stdout + login.stderr).not.toContain(JOHN.password);
  });

  test('OAuth flags do not apply (exit 2), and plain http to a non-loopback Kapacitor is refused like every profile URL (exit 2)', async ({ sandbox }) => {
    const flow = await sandbox.run(['login', '--flow', 'device'], { env: { AUTHCTL_PASSWORD: JOHN.password } });
    expect(flow.code).toBe(2);
    expect(flow.stderr).toContain('--flow does not apply to profile kap');
    await sandbox.writeConfig(configToml({ kap: { provider: 'kapacitor', url: 'http://kapacitor.example.com:9092' } }, 'kap'));
    const http = await sandbox.run(['login'], { env: { AUTHCTL_PASSWORD: JOHN.password } });
    expect(http.code).toBe(2);
    expect(http.stderr).toContain('profiles.kap.url');
    expect(await sandbox.credentialFiles()).toEqual([]);
  });
});

describe('using the stored Kapacitor credentials', () => {
  test('print-token --header: the Basic line curl -H sends, which Kapacitor accepts; not logged in: exit 3 and nothing on stdout', async ({ kapacitor, sandbox }) => {
    const absent = await sandbox.run(['print-token', '--header']);
    expect(absent.code).toBe(3);
    expect(absent.stdout).toBe('');
    expect(absent.stderr).toContain('authctl login --profile kap');

    await loginJohn(sandbox);
    const printed = await sandbox.run(['print-token', '--header']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toBe(basicLine(JOHN));
    expect(printed.stderr).toBe('');
    const [name, value] = printed.stdout.trimEnd().split(': ') as [string, string];
    expect((await fetch(`${kapacitor.url}/kapacitor/v1/ping`, { headers: { [name]: value } })).status).toBe(204);
  });

  test('print-token --header on stored Basic credentials is answered on the hot path: no commander, zod, provider plugin or program loaded', async ({ sandbox }) => {
    await loginJohn(sandbox);
    const trace = join(sandbox.home, 'imports.txt');
    const preload = fileURLToPath(new URL('./support/trace-imports.mjs', import.meta.url));
    const printed = await sandbox.run(['print-token', '--header'], { env: { NODE_OPTIONS: `--import=${preload}`, AUTHCTL_TRACE_FILE: trace } });
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toBe(basicLine(JOHN));
    const loaded = (await readFile(trace, 'utf8')).trim().split('\n');
    expect(loaded.some((url) => url.endsWith('/dist/authctl.cjs'))).toBe(true);
    for (const heavy of ['/commander/', '/zod/', '/provider-kapacitor/', '/@inquirer/', 'program']) {
      expect(loaded.filter((url) => url.includes(heavy))).toEqual([]);
    }
  });

  test('plain print-token on Basic credentials prints nothing and exits 2, pointing at --header and exec', async ({ sandbox }) => {
    await loginJohn(sandbox);
    const plain = await sandbox.run(['print-token']);
    expect(plain.code).toBe(2);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toContain('holds a username and password (HTTP Basic), not an access token');
    expect(plain.stderr).toContain('authctl print-token --header --profile kap');
    expect(plain.stderr).not.toContain(JOHN.password);
  });

  test('exec sets KAPACITOR_URL with the credentials as userinfo; Go’s url.Parse and net/http (the kapacitor CLI’s client) get `:`, `@`, `/`, `%` and spaces back and are let in', { timeout: 180_000 }, async ({
    kapacitor,
    kapacitorClient,
    sandbox,
  }) => {
    const login = await sandbox.run(['login', '--username', HARD.username, '--password-stdin'], { input: `${HARD.password}\n` });
    expect(login.code, login.stderr).toBe(0);

    const printed = await sandbox.run(['exec', '--', process.execPath, '-e', 'process.stdout.write(process.env.KAPACITOR_URL)']);
    expect(printed.code, printed.stderr).toBe(0);
    const port = new URL(kapacitor.url).port;
    expect(printed.stdout).toBe(`http://ann%20o%40x%2F%2541:p%3Aa%40s%2Fs%25w%20o%23rd%3F%2541@127.0.0.1:${port}`);

    const go = await sandbox.run(['exec', '--', kapacitorClient]);
    expect(go.code, go.stderr).toBe(0);
    expect(JSON.parse(go.stdout)).toEqual({ ...HARD, status: 204 });
    expect(kapacitor.requests.at(-1)).toEqual({ method: 'GET', path: '/kapacitor/v1/ping', credentials: HARD });
    expect(go.stderr).not.toContain(HARD.password);
  });

  test('exec: --env (an access token variable) does not apply, exit 2; not logged in, exit 3; the command never runs', async ({ sandbox }) => {
    const marker = join(sandbox.home, 'ran');
    const touch = [process.execPath, '-e', `require('node:fs').writeFileSync(${JSON.stringify(marker)}, '')`];
    expect((await sandbox.run(['exec', '--', ...touch])).code).toBe(3);
    await loginJohn(sandbox);
    const env = await sandbox.run(['exec', '--env', 'TOKEN', '--', ...touch]);
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('--env does not apply to profile kap');
    expect(await sandbox.credentialFiles()).toEqual(['kap.json']);
    await expect(stat(marker)).rejects.toThrow();
  });

  test('status shows the user and Basic (no expiry); logout deletes the credentials, then status and print-token --header exit 3', async ({ sandbox }) => {
    await loginJohn(sandbox);
    const status = await sandbox.run(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^identity\s+johndoe$/m);
    expect(status.stdout).toMatch(/^flow\s+basic$/m);
    expect(status.stdout).toMatch(/^expires_at\s+never$/m);
    expect(status.stdout).not.toContain(JOHN.password);
    const json = await sandbox.run(['status', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      profile: 'kap',
      provider: 'kapacitor',
      logged_in: true,
      identity: 'johndoe',
      flow: 'basic',
      expires_at: null,
      expired: false,
      refreshable: null,
      subject: null,
    });

    const logout = await sandbox.run(['logout']);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toContain('Logged out of profile "kap"');
    expect(await sandbox.credentialFiles()).toEqual([]);
    expect((await sandbox.run(['status'])).code).toBe(3);
    expect((await sandbox.run(['print-token', '--header'])).code).toBe(3);
  });

  test('store.backend = "keyring": login, print-token --header and logout use the keyring item only, never a file under AUTHCTL_HOME', async ({
    kapacitor,
    sandbox,
  }) => {
    await sandbox.writeConfig(
      `${configToml({ kap: { provider: 'kapacitor', url: kapacitor.url, username: JOHN.username } }, 'kap')}\n[store]\nbackend = "keyring"\n`,
    );
    const keyring = await TestKeyring.create();
    try {
      const login = await keyring.authctl(sandbox, ['login', '--password-stdin'], { input: `${JOHN.password}\n` });
      expect(login.code, login.stderr).toBe(0);
      const item = await keyring.secretTool(['lookup', 'service', TestKeyring.serviceOf(sandbox), 'username', 'kap']);
      expect(JSON.parse(item.stdout)).toEqual({ kind: 'basic', ...JOHN });
      expect(await filesContaining(sandbox.home, JOHN.password)).toEqual([]);

      const printed = await keyring.authctl(sandbox, ['print-token', '--header']);
      expect(printed.code, printed.stderr).toBe(0);
      expect(printed.stdout).toBe(basicLine(JOHN));

      expect((await keyring.authctl(sandbox, ['logout'])).code).toBe(0);
      expect((await keyring.secretTool(['lookup', 'service', TestKeyring.serviceOf(sandbox), 'username', 'kap'])).code).not.toBe(0);
      expect((await keyring.authctl(sandbox, ['print-token', '--header'])).code).toBe(3);
    } finally {
      await keyring.remove();
    }
  });
});
