import { readFile, stat } from 'node:fs/promises';
import { parse } from 'smol-toml';
import { describe, expect } from 'vitest';
import { test } from './support/fixtures.js';
import { STACK_FRAME, type Sandbox } from './support/sandbox.js';

const SECRET = 'svc-secret';

/** The secret must live in the store (0600) and nowhere in config.toml. */
async function expectSecretStoredApart(sandbox: Sandbox, profile: string): Promise<void> {
  const configText = await sandbox.readConfig();
  expect(configText).not.toContain(SECRET);
  const secretFile = sandbox.credentialFile(`${profile}#client_secret`);
  expect(JSON.parse(await readFile(secretFile, 'utf8'))).toEqual({ kind: 'secret', value: SECRET });
  expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
  expect((await stat(sandbox.configFile)).mode & 0o777).toBe(0o600);
}

describe('authctl configure', () => {
  test('by flags: writes the profile to config.toml and the secret from stdin to the credential store only', async ({ idp, sandbox }) => {
    const result = await sandbox.run(
      [
        'configure',
        '--profile', 'dev',
        '--provider', 'oidc',
        '--set', `issuer=${idp.issuer}`,
        '--set', 'timeout=7',
        '--client-id', 'authctl',
        '--flow', 'device',
        '--scopes', 'openid,offline_access',
        '--service-account-id', 'svc',
        '--client-secret-stdin',
        '--default',
      ],
      { input: `${SECRET}\n` },
    );
    expect(result.stderr).not.toContain(SECRET);
    expect(result.code).toBe(0);
    expect(parse(await sandbox.readConfig())).toEqual({
      default_profile: 'dev',
      profiles: {
        dev: {
          provider: 'oidc',
          issuer: idp.issuer,
          timeout: 7,
          client_id: 'authctl',
          flow: 'device',
          scopes: ['openid', 'offline_access'],
          service_account: { client_id: 'svc' },
        },
      },
    });
    await expectSecretStoredApart(sandbox, 'dev');

    // The stored secret is what `login --serviceaccount` uses: no AUTHCTL_CLIENT_SECRET here.
    const login = await sandbox.run(['login', '--serviceaccount']);
    expect(login.stderr).toContain('Logged in to profile "dev"');
    expect(login.code).toBe(0);
  });

  test('asks each question, reading one stdin line per answer when stdin is not a terminal', async ({ idp, sandbox }) => {
    const run = sandbox.start(['configure', '--profile', 'ci']);
    const asked: string[] = [];
    for (;;) {
      const question = (await run.expect(/[^\n]*\n/, 'stderr')).trim();
      if (question.startsWith('Creating profile "ci"')) continue;
      asked.push(question);
      if (question.startsWith('Provider')) run.write('oidc\n');
      else if (question.startsWith('Issuer')) run.write(`${idp.issuer}\n`);
      else if (question.startsWith('Client ID')) run.write('authctl\n');
      else if (question.startsWith('Login flow')) run.write('password\n');
      else if (question.startsWith('Service account ID')) run.write('svc\n');
      else if (question.startsWith('Service account secret')) {
        run.write(`${SECRET}\n`);
        break;
      } else run.write('\n'); // keep the provider's other keys unset
    }
    const result = await run.done;
    expect(result.code).toBe(0);
    // The provider's own keys were asked, derived from its options schema.
    expect(asked.some((question) => question.startsWith('Issuer'))).toBe(true);
    expect(asked.some((question) => question.startsWith('Token URL'))).toBe(true);
    expect(parse(await sandbox.readConfig())).toEqual({
      default_profile: 'ci',
      profiles: { ci: { provider: 'oidc', issuer: idp.issuer, client_id: 'authctl', flow: 'password', service_account: { client_id: 'svc' } } },
    });
    await expectSecretStoredApart(sandbox, 'ci');
  });

  test('on a terminal: hidden secret entry with "Re-enter to confirm"; the secret is never echoed', async ({ idp, sandbox }) => {
    const run = sandbox.startInTerminal(['configure', '--profile', 'tty', '--set', `issuer=${idp.issuer}`]);
    const answers: Array<[string, string]> = [
      ['Provider', 'oidc'],
      ['Client ID', 'authctl'],
      ['Login flow', 'device'],
      ['Service account ID', 'svc'],
      ['Service account secret', SECRET],
      ['Re-enter to confirm', SECRET],
    ];
    // Inquirer redraws a prompt on every key press: answer each label once, in order of appearance.
    let previous = '';
    while (!previous.startsWith('Re-enter to confirm')) {
      const label = /\? ([^\n]+?) (?:\[[^\]\n]*\]:|\[input is)/.exec(await run.expect(/\? [^\n]+? (?:\[[^\]\n]*\]:|\[input is)/))![1]!;
      if (label === previous) continue;
      previous = label;
      // Provider keys other than issuer (given by --set) are left empty.
      run.write(`${answers.find(([prefix]) => label.startsWith(prefix))?.[1] ?? ''}\r`);
    }
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Profile "tty" saved');
    expect(result.stdout).not.toContain(SECRET);
    expect(parse(await sandbox.readConfig())).toMatchObject({
      profiles: { tty: { provider: 'oidc', issuer: idp.issuer, client_id: 'authctl', flow: 'device', service_account: { client_id: 'svc' } } },
    });
    await expectSecretStoredApart(sandbox, 'tty');
  });

  test('validates before writing: an http:// issuer on a non-loopback host exits 2, names the URL, writes nothing', async ({ idp, sandbox }) => {
    const result = await sandbox.run(['configure', '--profile', 'bad', '--provider', 'oidc', '--set', 'issuer=http://idp.example.com/realms/x', '--client-id', 'c']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('http://idp.example.com/realms/x');
    expect(result.stderr).toContain('profiles.bad.issuer');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    await expect(stat(sandbox.configFile)).rejects.toThrow(/ENOENT/);
  });

  test('an unknown --set key exits 2 naming profiles.NAME.KEY, and config.toml is left as it was', async ({ idp, sandbox }) => {
    await sandbox.run(['configure', '--profile', 'dev', '--provider', 'oidc', '--set', `issuer=${idp.issuer}`, '--client-id', 'authctl']);
    const before = await sandbox.readConfig();
    const result = await sandbox.run(['configure', '--profile', 'dev', '--set', 'isuer=https://typo.example.com']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('profiles.dev.isuer');
    expect(await sandbox.readConfig()).toBe(before);
  });

  test('an unknown provider exits 2 with an install hint', async ({ sandbox }) => {
    const result = await sandbox.run(['configure', '--profile', 'x', '--provider', 'nosuchidp', '--client-id', 'c']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nosuchidp');
    expect(result.stderr).toMatch(/^hint: /m);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});
