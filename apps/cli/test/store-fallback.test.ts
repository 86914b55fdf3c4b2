import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { printLiveToken } from './flows/support/live-token.js';
import { devProfileTest as base } from './support/fixtures.js';
import { TestKeyring } from './support/keyring.js';
import type { RunResult, Sandbox } from './support/sandbox.js';

const test = base.extend<{ keyring: TestKeyring }>({
  keyring: async ({}, use) => {
    const keyring = await TestKeyring.create();
    await use(keyring);
    await keyring.remove();
  },
});

let busDir: string;
let stuckBus: Server;

beforeAll(async () => {
  busDir = await mkdtemp(join(tmpdir(), 'authctl-bus-'));
  await mkdir(join(busDir, 'run'), { mode: 0o700 });
  // Accepts D-Bus connections and never answers: a keyring call without a time bound would wait forever.
  stuckBus = createServer((socket) => socket.on('data', () => {}));
  await new Promise<void>((resolve) => stuckBus.listen(join(busDir, 'stuck-bus'), resolve));
});
afterAll(async () => {
  stuckBus?.close();
  await rm(busDir, { recursive: true, force: true });
});

type Authctl = (sandbox: Sandbox, keyring: TestKeyring, args: string[], env?: NodeJS.ProcessEnv) => Promise<RunResult>;

const SCENARIOS: Array<{ name: string; authctl: Authctl; reason: RegExp }> = [
  {
    name: 'no D-Bus session (SSH, WSL, a container)',
    authctl: (sandbox, _, args, env) =>
      sandbox.run(args, { env: { ...env, DBUS_SESSION_BUS_ADDRESS: undefined, XDG_RUNTIME_DIR: join(busDir, 'run') }, killAfterMs: 30_000 }),
    reason: /no D-Bus session bus/,
  },
  {
    name: 'a locked keyring, in a session that cannot show the unlock prompt',
    authctl: (sandbox, keyring, args, env) => keyring.authctl(sandbox, args, { state: 'locked', ...(env ? { env } : {}) }),
    reason: /unlock prompt was dismissed/,
  },
  {
    name: 'a Secret Service that never answers',
    authctl: (sandbox, _, args, env) =>
      sandbox.run(args, { env: { ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(busDir, 'stuck-bus')}` }, killAfterMs: 30_000 }),
    reason: /no answer within 3 s/,
  },
];

describe.each(SCENARIOS)('store.backend = "auto" with $name', ({ authctl, reason }) => {
  test('login warns exactly once and keeps the token in a 0600 file; print-token then serves it silently, without touching the keyring', async ({
    idp,
    sandbox,
    keyring,
  }) => {
    const login = await authctl(sandbox, keyring, ['login', '--serviceaccount'], { AUTHCTL_CLIENT_SECRET: idp.clients.confidential.secret });
    expect(login.code, login.stderr).toBe(0);
    const warnings = login.stderr.split('\n').filter((line) => line.includes('warning'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: no usable OS keyring \(.+\); credentials are stored in files under .+ \(0600\)/);
    expect(warnings[0]).toMatch(reason);
    expect(warnings[0]).toContain(sandbox.credentialsDir);
    expect((await stat(sandbox.credentialFile('dev'))).mode & 0o777).toBe(0o600);

    const { token } = await printLiveToken(idp, sandbox);
    const trace = join(sandbox.home, 'imports.txt');
    const preload = fileURLToPath(new URL('./support/trace-imports.mjs', import.meta.url));
    const again = await authctl(sandbox, keyring, ['print-token'], { NODE_OPTIONS: `--import=${preload}`, AUTHCTL_TRACE_FILE: trace });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`${token}\n`);
    expect(again.stderr).toBe('');
    // A file holds the token: auto reads it without loading the keyring reader, let alone probing.
    const loaded = (await readFile(trace, 'utf8')).trim().split('\n');
    expect(loaded.some((url) => url.endsWith('/dist/authctl.cjs'))).toBe(true);
    expect(loaded.filter((url) => url.includes('keyring'))).toEqual([]);
    // The keyring reader is bundled but lazy: its first act, starting the keyring agent, never happened.
    expect(loaded).not.toContain('node:child_process');
  });
});

describe('store.backend = "auto" without a keyring, command after command', () => {
  test('the fallback warning is shown once per state folder (a marker file there), not on every new credential', async ({ idp, sandbox }) => {
    const noBus = { DBUS_SESSION_BUS_ADDRESS: undefined, XDG_RUNTIME_DIR: join(busDir, 'run') };
    const warningsOf = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('warning:'));

    const configure = await sandbox.run(['configure', '--profile', 'svc', '--provider', 'oidc', '--set', `issuer=${idp.issuer}`, '--client-id', 'authctl', '--service-account-id', 'svc', '--client-secret-stdin'], {
      input: `${idp.clients.confidential.secret}\n`,
      env: noBus,
    });
    expect(configure.code, configure.stderr).toBe(0);
    expect(warningsOf(configure.stderr)).toEqual([expect.stringMatching(/^warning: no usable OS keyring \(no D-Bus session bus.*\); credentials are stored in files under .+ \(0600\)/)]);
    expect(existsSync(join(sandbox.home, 'state', 'keyring-warning-shown'))).toBe(true);

    // Each of these writes a credential the files did not hold yet: today's ones must stay quiet.
    for (const args of [['login', '--serviceaccount', '--profile', 'svc'], ['login', '--serviceaccount', '--profile', 'dev']]) {
      const run = await sandbox.run(args, { env: { ...noBus, AUTHCTL_CLIENT_SECRET: idp.clients.confidential.secret } });
      expect(run.code, run.stderr).toBe(0);
      expect(warningsOf(run.stderr)).toEqual([]);
    }
  });
});
