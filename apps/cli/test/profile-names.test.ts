import { readFile } from 'node:fs/promises';
import { clientSecretKey } from '@auth/core';
import { startTestIdP } from '@auth/testkit';
import { describe, expect } from 'vitest';
import { expectLoginEvents, parseEvent } from './flows/support/json-events.js';
import { test } from './support/fixtures.js';
import { configToml, idpProfile } from './support/profiles.js';
import { copyFixture, useFileStore } from './support/sandbox-files.js';
import { STACK_FRAME, type Sandbox } from './support/sandbox.js';

const SECRET = 'svc-secret-4e1a';
/** What every refusal of a profile name says the rule is. */
const RULE = /1 to 64 characters: ASCII letters, digits, "\.", "_" and "-", starting with a letter or digit/;

/** Profile `svc` by flags, its client secret in the file store. */
async function configureSvc(sandbox: Sandbox, issuer: string): Promise<void> {
  await useFileStore(sandbox);
  const configured = await sandbox.run(
    ['configure', '--profile', 'svc', '--provider', 'oidc', '--set', `issuer=${issuer}`, '--client-id', 'authctl', '--service-account-id', 'svc', '--client-secret-stdin'],
    { input: `${SECRET}\n` },
  );
  expect(configured.code, configured.stderr).toBe(0);
}

const svcSecret = (sandbox: Sandbox) => readFile(sandbox.credentialFile(clientSecretKey('svc')), 'utf8').then((text) => JSON.parse(text).value);

describe('profile names: one rule at configure, login and import', () => {
  test('--profile "svc#client_secret" is refused by configure (exit 2, the rule named) and never reaches svc\'s stored client secret', async ({ idp, sandbox }) => {
    await configureSvc(sandbox, idp.issuer);
    const before = await sandbox.readConfig();

    const configured = await sandbox.run(
      ['configure', '--profile', 'svc#client_secret', '--provider', 'oidc', '--set', `issuer=${idp.issuer}`, '--client-id', 'authctl'],
    );
    expect(configured.code).toBe(2);
    expect(configured.stderr).toMatch(/^authctl: --profile "svc#client_secret" is not a valid profile name/m);
    expect(configured.stderr).toMatch(RULE);
    expect(configured.stderr).not.toMatch(STACK_FRAME);
    expect(await sandbox.readConfig()).toBe(before);

    for (const args of [['login'], ['print-token'], ['logout'], ['profile', 'delete', 'svc#client_secret']]) {
      const result = await sandbox.run(args[0] === 'profile' ? args : [...args, '--profile', 'svc#client_secret']);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
    }
    expect(await svcSecret(sandbox)).toBe(SECRET);
  });

  test('a hand-written [profiles."svc#client_secret"] is CONFIG_INVALID naming the file and key, and svc\'s secret stays', async ({ idp, sandbox }) => {
    await configureSvc(sandbox, idp.issuer);
    await sandbox.writeConfig(`${await sandbox.readConfig()}\n[profiles."svc#client_secret"]\nprovider = "oidc"\nissuer = "${idp.issuer}"\nclient_id = "authctl"\n`);

    const login = await sandbox.run(['login', '--profile', 'svc#client_secret', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: 'other' } });
    expect(login.code).toBe(2);
    expect(login.stderr).toContain(`${sandbox.configFile}: profiles."svc#client_secret" is not a valid profile name`);
    expect(login.stderr).toMatch(RULE);
    expect(await svcSecret(sandbox)).toBe(SECRET);
  });

  test('a 40-character non-ASCII name is refused by configure before anything is written (its file names would not fit)', async ({ idp, sandbox }) => {
    const name = 'проф'.repeat(10);
    const result = await sandbox.run(['configure', '--profile', name, '--provider', 'oidc', '--set', `issuer=${idp.issuer}`, '--client-id', 'authctl']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--profile "${name}" is not a valid profile name`);
    expect(result.stderr).toMatch(RULE);
    expect(result.stderr).not.toMatch(/ENAMETOOLONG/);
    await expect(sandbox.readConfig()).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('--profile "" is a usage error (exit 2) for every command, not the default profile', async ({ idp, sandbox }) => {
    await useFileStore(sandbox, configToml({ dev: idpProfile(idp.issuer) }, 'dev'));
    const login = await sandbox.run(['login', '--flow', 'password', '--username', 'alice'], { env: { AUTHCTL_PASSWORD: 'alice-password' } });
    expect(login.code, login.stderr).toBe(0);

    for (const args of [['print-token'], ['status'], ['login', '--flow', 'password', '--username', 'alice'], ['configure', '--client-id', 'x']]) {
      const result = await sandbox.run([...args, '--profile', ''], { env: { AUTHCTL_PASSWORD: 'alice-password' } });
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(2);
      expect(result.stdout, `${args[0]} printed nothing`).toBe('');
      expect(result.stderr).toMatch(/^authctl: --profile is empty/m);
    }
  });

  test('profile import refuses a name outside the rule (here made by --prefix) and writes nothing', async ({ sandbox }) => {
    await useFileStore(sandbox);
    const before = await sandbox.readConfig();
    const result = await sandbox.run(['profile', 'import', '--from', 'influxctl', '--prefix', 'flux#', await copyFixture(sandbox, 'influxctl-config.toml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^authctl: Cannot import influxctl profile "default" from .*: "flux#default" is not a valid profile name/m);
    expect(result.stderr).toMatch(RULE);
    expect(await sandbox.readConfig()).toBe(before);
    expect(await sandbox.credentialFiles()).toEqual([]);
  });
});

describe('identity names from the IdP', () => {
  test('a 230-character preferred_username: the browser login completes, is stored and listed by its full name, and can be switched back to', async ({ sandbox }) => {
    const long = `${'l'.repeat(229)}n`;
    const idp = await startTestIdP({ users: { [long]: 'long-password', alice: 'alice-password' } });
    try {
      await useFileStore(sandbox, configToml({ dev: idpProfile(idp.issuer) }, 'dev'));
      const run = sandbox.start(['login', '--flow', 'browser', '--no-browser', '--json'], { killAfterMs: 60_000 });
      const authorizationUrl = String(parseEvent(await run.nextLine()).url);
      const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri')!;
      const callback = await idp.user.authorize(authorizationUrl, redirectUri, { username: long, password: 'long-password' });
      const page = await fetch(callback, { signal: AbortSignal.timeout(10_000) });
      expect(await page.text()).toContain('Login complete');
      const result = await run.done;
      expect(result.code, result.stderr).toBe(0);
      expectLoginEvents(result, 'open_url');

      const alice = await sandbox.run(['login', '--flow', 'password', '--username', 'alice'], { env: { AUTHCTL_PASSWORD: 'alice-password' } });
      expect(alice.code, alice.stderr).toBe(0);
      const listed = await sandbox.run(['user', 'list', '--json']);
      expect(JSON.parse(listed.stdout).map((entry: { identity: string; active: boolean }) => [entry.identity, entry.active])).toEqual([
        ['alice', true],
        [long, false],
      ]);

      const switched = await sandbox.run(['user', 'switch', long]);
      expect(switched.code, switched.stderr).toBe(0);
      expect((await sandbox.run(['status', '--json'])).stdout).toContain(`"identity":"${long}"`);
      const removed = await sandbox.run(['user', 'remove', 'alice']);
      expect(removed.code, removed.stderr).toBe(0);
      expect((await sandbox.run(['print-token'])).code).toBe(0);
    } finally {
      await idp.close();
    }
  });
});
