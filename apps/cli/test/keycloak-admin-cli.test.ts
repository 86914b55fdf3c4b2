import { clientSecretKey } from '@auth/core';
import { startKeycloakAdminDouble, type KeycloakAdminDouble } from '@auth/testkit';
import { describe, expect, test as base } from 'vitest';
import { filesContaining } from './flows/support/files-containing.js';
import { configToml } from './support/profiles.js';
import { Sandbox, type RunResult } from './support/sandbox.js';

/** A Keycloak admin double and a sandbox whose default profile `kc` administers its realm as `admin`. */
const test = base.extend<{ keycloak: KeycloakAdminDouble; sandbox: Sandbox }>({
  keycloak: async ({}, use) => {
    const double = await startKeycloakAdminDouble();
    await use(double);
    await double.close();
  },
  sandbox: async ({ keycloak }, use) => {
    const sandbox = await Sandbox.create();
    await sandbox.writeConfig(
      configToml(
        {
          kc: { provider: 'keycloak', url: keycloak.url, realm: keycloak.realm, admin: { username: keycloak.admin.username } },
          other: { provider: 'oidc', issuer: keycloak.url, client_id: 'x' },
        },
        'kc',
      ),
    );
    await use(sandbox);
    await sandbox.remove();
  },
});

/** Runs authctl, keeps every output for the "never printed" checks, and expects exit 0. */
function runner(sandbox: Sandbox, keycloak: KeycloakAdminDouble) {
  const outputs: RunResult[] = [];
  const run = async (args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; code?: number } = {}) => {
    const result = await sandbox.run(args, { input: options.input, env: { AUTHCTL_ADMIN_PASSWORD: keycloak.admin.password, ...options.env } });
    outputs.push(result);
    expect(result.code, `authctl ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(options.code ?? 0);
    return result;
  };
  const json = async (args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) => JSON.parse((await run([...args, '--json'], options)).stdout);
  return { run, json, outputs };
}

async function expectPasswordNowhere(sandbox: Sandbox, outputs: RunResult[], password: string): Promise<void> {
  expect(await filesContaining(sandbox.home, password), 'files under AUTHCTL_HOME holding the admin password').toEqual([]);
  for (const { stdout, stderr } of outputs) expect(`${stdout}${stderr}`).not.toContain(password);
}

describe('authctl keycloak … (commands contributed by @auth/provider-keycloak)', () => {
  test('clients register / list / get / update / delete with --json print kdb Insights ClientManager AuthClients; the admin password is written and printed nowhere', async ({ keycloak, sandbox }) => {
    const { json, outputs } = runner(sandbox, keycloak);

    const created = await json(['keycloak', 'clients', 'register', 'ingest', '--roles', 'insights.query', '--token-lifespan', '120']);
    const stored = keycloak.model.clientByClientId('ingest')!;
    expect(created).toEqual({ host: keycloak.url, id: 'ingest', secret: stored.secret, uuid: stored.id });
    expect(stored.attributes['access.token.lifespan']).toBe('120');

    const again = await json(['keycloak', 'clients', 'register', 'ingest', '--roles', 'insights.query', '--secret-stdin'], { input: 'rotated-secret-2\n' });
    expect(again, 'an update shows no secret').toEqual({ host: keycloak.url, id: 'ingest', uuid: stored.id });
    expect(keycloak.model.clientByClientId('ingest')?.secret).toBe('rotated-secret-2');
    expect(keycloak.model.clients.size).toBe(1);
    expect(keycloak.adminRequests().filter((r) => r.method === 'POST' && r.path.endsWith('/role-mappings/realm'))).toHaveLength(1);

    expect(await json(['keycloak', 'clients', 'list'])).toEqual([{ host: keycloak.url, id: 'ingest', uuid: stored.id }]);
    expect(await json(['keycloak', 'clients', 'list', '--client-id', 'ingest', '--with-secret'])).toEqual([
      { host: keycloak.url, id: 'ingest', uuid: stored.id, secret: 'rotated-secret-2' },
    ]);
    expect(await json(['keycloak', 'clients', 'get', 'ingest', '--with-secret'])).toMatchObject({ secret: 'rotated-secret-2' });
    expect(await json(['keycloak', 'clients', 'update', 'ingest', '--token-lifespan', '900'])).toEqual({ host: keycloak.url, id: 'ingest', uuid: stored.id });
    expect(keycloak.model.clientByClientId('ingest')?.attributes['access.token.lifespan']).toBe('900');
    expect((await json(['keycloak', 'roles', 'list'])).map((r: { name: string }) => r.name)).toContain('insights.schema.get');

    await json(['keycloak', 'clients', 'delete', stored.id]);
    expect(keycloak.model.clients.size).toBe(0);
    expect(await sandbox.credentialFiles(), 'the admin token is never cached').toEqual([]);
    await expectPasswordNowhere(sandbox, outputs, keycloak.admin.password);
  });

  test('--admin-password-stdin then --secret-stdin (two lines, admin password first) and --save-profile: the new profile logs in with --serviceaccount', async ({ keycloak, sandbox }) => {
    const { run, json, outputs } = runner(sandbox, keycloak);
    const input = `${keycloak.admin.password}\nrobot-secret-1\n`;
    const shown = await json(['keycloak', 'clients', 'register', 'robot', '--roles', 'none', '--admin-password-stdin', '--secret-stdin', '--save-profile', 'robot'], {
      input,
      env: { AUTHCTL_ADMIN_PASSWORD: '' },
    });
    expect(shown, 'the secret went to the credential store, not to stdout').toEqual({ host: keycloak.url, id: 'robot', uuid: keycloak.model.clientByClientId('robot')!.id });
    expect(keycloak.model.clientByClientId('robot')?.secret).toBe('robot-secret-1');
    expect(keycloak.rolesOf('service-account-robot')).toEqual(['default-roles-insights']);

    await run(['--profile', 'robot', 'login', '--serviceaccount'], { env: { AUTHCTL_ADMIN_PASSWORD: '' } });
    const token = (await run(['--profile', 'robot', 'print-token'])).stdout.trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ iss: `${keycloak.url}/realms/insights`, azp: 'robot' });

    expect(await sandbox.readConfig()).toContain('[profiles.robot.service_account]');
    expect(await filesContaining(sandbox.home, 'robot-secret-1')).toEqual([sandbox.credentialFile(clientSecretKey('robot'))]);
    await expectPasswordNowhere(sandbox, outputs, keycloak.admin.password);
  });

  test('a new client without --save-profile shows its generated secret once, in plain text too', async ({ keycloak, sandbox }) => {
    const { run } = runner(sandbox, keycloak);
    const { stdout } = await run(['keycloak', 'clients', 'register', 'shown', '--roles', 'none']);
    expect(stdout).toContain(keycloak.model.clientByClientId('shown')!.secret);
    expect((await run(['keycloak', 'clients', 'get', 'shown'])).stdout).not.toContain(keycloak.model.clientByClientId('shown')!.secret);
  });

  test('users create (password on the second stdin line) / list / set-password / assign-roles / unassign-roles / delete', async ({ keycloak, sandbox }) => {
    const { json, outputs } = runner(sandbox, keycloak);
    const user = await json(['keycloak', 'users', 'create', 'carol', '--email', 'carol@example.com', '--password-stdin', '--temporary', '--admin-password-stdin'], {
      input: `${keycloak.admin.password}\ncarol-pass-1\n`,
      env: { AUTHCTL_ADMIN_PASSWORD: '' },
    });
    expect(user).toEqual({ id: keycloak.model.userByName('carol')!.id, username: 'carol', email: 'carol@example.com', enabled: true });
    expect(keycloak.model.userByName('carol')?.password).toEqual({ value: 'carol-pass-1', temporary: true });
    expect((await json(['keycloak', 'users', 'list'])).map((u: { username: string }) => u.username)).toEqual(['carol']);

    await json(['keycloak', 'users', 'set-password', 'carol', '--password-stdin'], { input: 'carol-pass-2\n' });
    expect(keycloak.model.userByName('carol')?.password).toEqual({ value: 'carol-pass-2', temporary: false });

    expect(await json(['keycloak', 'users', 'assign-roles', 'carol', 'insights.query', 'insights.admin'])).toEqual({
      username: 'carol',
      assigned: ['insights.query', 'insights.admin'],
      roles: ['default-roles-insights', 'insights.admin', 'insights.query'],
    });
    expect(await json(['keycloak', 'users', 'unassign-roles', 'carol', 'insights.admin'])).toMatchObject({ unassigned: ['insights.admin'] });
    expect(keycloak.rolesOf('carol')).toEqual(['default-roles-insights', 'insights.query']);

    await json(['keycloak', 'users', 'delete', 'carol']);
    expect(keycloak.model.userByName('carol')).toBeUndefined();
    for (const { stdout, stderr } of outputs) expect(`${stdout}${stderr}`).not.toMatch(/carol-pass-\d/);
    await expectPasswordNowhere(sandbox, outputs, keycloak.admin.password);
  });

  test('without AUTHCTL_ADMIN_PASSWORD or --admin-password-stdin, a terminal asks for the admin password with echo off', async ({ keycloak, sandbox }) => {
    const authctl = sandbox.startInTerminal(['keycloak', 'roles', 'list']);
    await authctl.expect(/Admin password for admin/);
    authctl.write(`${keycloak.admin.password}\r`);
    const { code, stdout } = await authctl.done;
    expect(code, stdout).toBe(0);
    expect(stdout).toContain('insights.schema.get');
    expect(stdout, 'the typed password is not echoed').not.toContain(keycloak.admin.password);
  });

  test('errors: a profile of another provider is exit 2; no admin password anywhere is exit 2; a wrong admin password is exit 4 and not echoed; Keycloak\'s 409 text reaches the user', async ({ keycloak, sandbox }) => {
    const { run } = runner(sandbox, keycloak);
    const mismatch = await run(['--profile', 'other', 'keycloak', 'roles', 'list'], { code: 2 });
    expect(mismatch.stderr).toContain('profile "other" uses provider "oidc"');

    const denied = await run(['keycloak', 'roles', 'list', '--json'], { env: { AUTHCTL_ADMIN_PASSWORD: 'wrong-admin-password' }, code: 4 });
    expect(JSON.parse(denied.stdout)).toMatchObject({ event: 'error', code: 'INVALID_CREDENTIALS' });
    expect(`${denied.stdout}${denied.stderr}`).not.toContain('wrong-admin-password');

    const nothing = await run(['keycloak', 'roles', 'list'], { env: { AUTHCTL_ADMIN_PASSWORD: '' }, code: 2 });
    expect(nothing.stderr).toContain('no admin password on stdin');

    await run(['keycloak', 'users', 'create', 'dave']);
    const duplicate = await run(['keycloak', 'users', 'create', 'dave'], { code: 2 });
    expect(duplicate.stderr).toContain('User exists with same username');
    expect(duplicate.stderr).not.toMatch(/^\s+at\s/m);
  });
});
