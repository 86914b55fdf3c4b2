import { existsSync } from 'node:fs';
import { parse } from 'smol-toml';
import { describe, expect } from 'vitest';
import { test as base } from './support/fixtures.js';

const SECRET = 'svc-secret';

/** Every test starts with two profiles, made by `configure`: `dev` (oidc, with a stored secret, the default) and `staging` (keycloak). */
const test = base.extend<{ profiles: void }>({
  profiles: [
    async ({ idp, sandbox }, use) => {
      const dev = await sandbox.run(
        ['configure', '--profile', 'dev', '--provider', 'oidc', '--set', `issuer=${idp.issuer}`, '--client-id', 'authctl', '--service-account-id', 'svc', '--client-secret-stdin'],
        { input: `${SECRET}\n` },
      );
      expect(dev.code, dev.stderr).toBe(0);
      const staging = await sandbox.run(['configure', '--profile', 'staging', '--provider', 'keycloak', '--set', 'url=https://kc.example.com', '--set', 'base_path=/auth', '--client-id', 'insights-app']);
      expect(staging.code, staging.stderr).toBe(0);
      await use();
    },
    { auto: true },
  ],
});

describe('authctl profile', () => {
  test('list marks the default profile (the first one configured); --plain and --json for scripts', async ({ sandbox }) => {
    const human = await sandbox.run(['profile', 'list']);
    expect(human.code).toBe(0);
    expect(human.stdout).toBe('* dev (oidc)\n  staging (keycloak)\n');
    expect((await sandbox.run(['profile', 'list', '--plain'])).stdout).toBe('dev\nstaging\n');
    expect(JSON.parse((await sandbox.run(['profile', 'list', '--json'])).stdout)).toEqual({
      default_profile: 'dev',
      profiles: [
        { name: 'dev', provider: 'oidc', default: true },
        { name: 'staging', provider: 'keycloak', default: false },
      ],
    });
  });

  test('show prints the settings and whether a secret is stored, never the secret', async ({ idp, sandbox }) => {
    const shown = await sandbox.run(['profile', 'show', 'dev']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`issuer = "${idp.issuer}"`);
    expect(shown.stdout).toContain('client secret: in the credential store');
    expect(shown.stdout + shown.stderr).not.toContain(SECRET);
    const json = JSON.parse((await sandbox.run(['--profile', 'staging', 'profile', 'show', '--json'])).stdout) as Record<string, unknown>;
    expect(json).toEqual({
      name: 'staging',
      default: false,
      settings: { provider: 'keycloak', url: 'https://kc.example.com', base_path: '/auth', client_id: 'insights-app' },
      client_secret_stored: false,
    });
  });

  test('show prints valid TOML: smol-toml parses it back to exactly the profile config.toml holds, tables and arrays included', async ({ sandbox }) => {
    const set = await sandbox.run(['configure', '--profile', 'dev', '--set', 'parameters.audience=https://api.example.com', '--scopes', 'openid,api:read']);
    expect(set.code, set.stderr).toBe(0);

    const shown = await sandbox.run(['profile', 'show', 'dev']);

    expect(shown.code, shown.stderr).toBe(0);
    const config = parse(await sandbox.readConfig()) as { profiles: Record<string, unknown> };
    expect(config.profiles.dev).toMatchObject({ service_account: { client_id: 'svc' }, parameters: { audience: 'https://api.example.com' }, scopes: ['openid', 'api:read'] });
    expect(parse(shown.stdout)).toEqual({ profiles: { dev: config.profiles.dev } });
    expect(shown.stdout).toMatch(/^# default profile$/m);
    expect(shown.stdout).toMatch(/^# client secret: in the credential store$/m);
  });

  test('use sets default_profile, and commands then act on that profile', async ({ sandbox }) => {
    expect((await sandbox.run(['profile', 'use', 'staging'])).code).toBe(0);
    expect(parse(await sandbox.readConfig())).toMatchObject({ default_profile: 'staging' });
    expect(JSON.parse((await sandbox.run(['status', '--json'])).stdout)).toMatchObject({ profile: 'staging', logged_in: false });
    const missing = await sandbox.run(['profile', 'use', 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('"nope"');
  });

  test('delete --yes removes the profile table, the default, the stored tokens and the client secret', async ({ sandbox }) => {
    expect((await sandbox.run(['login', '--serviceaccount'])).code).toBe(0);
    expect(existsSync(sandbox.credentialFile('dev'))).toBe(true);
    const deleted = await sandbox.run(['profile', 'delete', 'dev', '--yes']);
    expect(deleted.code).toBe(0);
    const config = parse(await sandbox.readConfig()) as { default_profile?: string; profiles: Record<string, unknown> };
    expect(Object.keys(config.profiles)).toEqual(['staging']);
    expect(config.default_profile).toBeUndefined();
    expect(await sandbox.credentialFiles()).toEqual([]);
  });

  test('delete on a terminal asks first; answering no keeps everything', async ({ sandbox }) => {
    const run = sandbox.startInTerminal(['profile', 'delete', 'dev']);
    await run.expect(/Delete profile "dev" and its stored credentials\? \[y\/N\]/);
    run.write('n\r');
    const result = await run.done;
    expect(result.code).toBe(1);
    expect(Object.keys((parse(await sandbox.readConfig()) as { profiles: object }).profiles)).toEqual(['dev', 'staging']);
    expect(existsSync(sandbox.credentialFile('dev#client_secret'))).toBe(true);
  });
});
