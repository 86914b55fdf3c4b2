import { startInfluxd, startInfluxMetaDouble, type Influxd, type InfluxMetaDouble } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, test as base } from 'vitest';
import { filesContaining } from './flows/support/files-containing.js';
import { configToml } from './support/profiles.js';
import { Sandbox, STACK_FRAME, type RunResult } from './support/sandbox.js';

type Run = (args: string[], options?: { input?: string; env?: NodeJS.ProcessEnv; code?: number }) => Promise<RunResult>;

/** Runs authctl with the admin password in AUTHCTL_ADMIN_PASSWORD unless told otherwise, and checks the exit code. */
function runner(sandbox: Sandbox, adminPassword: string) {
  const outputs: RunResult[] = [];
  const run: Run = async (args, options = {}) => {
    const result = await sandbox.run(args, { input: options.input ?? '', env: { AUTHCTL_ADMIN_PASSWORD: adminPassword, ...options.env } });
    outputs.push(result);
    expect(result.code, `authctl ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(options.code ?? 0);
    return result;
  };
  const json = async (args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) => JSON.parse((await run([...args, '--json'], options)).stdout);
  return { run, json, outputs };
}

async function expectNowhere(sandbox: Sandbox, outputs: RunResult[], secrets: string[]): Promise<void> {
  for (const secret of secrets) {
    expect(await filesContaining(sandbox.home, secret), 'files under AUTHCTL_HOME holding a secret').toEqual([]);
    for (const { stdout, stderr } of outputs) expect(`${stdout}${stderr}`).not.toContain(secret);
  }
}

const meta = base.extend<{ double: InfluxMetaDouble; sandbox: Sandbox }>({
  double: async ({}, use) => {
    const double = await startInfluxMetaDouble({ followers: 1, sharedSecret: 'meta-public-secret' });
    await use(double);
    await double.close();
  },
  sandbox: async ({ double }, use) => {
    const sandbox = await Sandbox.create();
    await sandbox.writeConfig(
      configToml(
        {
          influx: { provider: 'influx-meta', url: double.url, mode: 'enterprise', admin: { username: 'admin' } },
          follower: { provider: 'influx-meta', url: double.followers[0]!, admin: { username: 'admin' } },
          jwt: { provider: 'influx-meta', url: double.url, auth: 'jwt', admin: { username: 'admin' } },
          gone: { provider: 'influx-meta', url: 'http://127.0.0.1:9', admin: { username: 'admin' } },
        },
        'influx',
      ),
    );
    await use(sandbox);
    await sandbox.remove();
  },
});

describe('authctl influx-meta users … against an InfluxDB Enterprise meta node (contract double)', () => {
  meta('create (password on stdin, admin password from env), set-password, grant, revoke, list --json, delete; no password is printed or written', async ({ double, sandbox }) => {
    const { run, json, outputs } = runner(sandbox, 'changeit');
    expect(await json(['influx-meta', 'users', 'create', 'johndoe', '--password-stdin'], { input: 'pa5sw0Rd\n' })).toEqual({
      action: 'create', user: 'johndoe', admin: false, url: double.url,
    });
    expect(double.checkPassword('johndoe', 'pa5sw0Rd')).toBe(true);

    // Both secrets on stdin, admin first.
    await run(['influx-meta', 'users', 'set-password', 'johndoe', '--admin-password-stdin', '--password-stdin'], { input: 'changeit\nn3wPassw0rd\n', env: { AUTHCTL_ADMIN_PASSWORD: '' } });
    expect(double.checkPassword('johndoe', 'n3wPassw0rd')).toBe(true);
    // From the environment.
    await run(['influx-meta', 'users', 'set-password', 'johndoe'], { env: { AUTHCTL_NEW_PASSWORD: 'env-password-3' } });
    expect(double.checkPassword('johndoe', 'env-password-3')).toBe(true);

    await run(['influx-meta', 'users', 'grant', 'johndoe', 'KapacitorAPI', 'KapacitorConfigAPI']);
    await run(['influx-meta', 'users', 'grant', 'johndoe', 'ReadData', '--database', 'telegraf']);
    await run(['influx-meta', 'users', 'revoke', 'johndoe', 'KapacitorConfigAPI']);
    const listed = await json(['influx-meta', 'users', 'list']);
    expect(listed).toContainEqual({ name: 'johndoe', permissions: { '': ['KapacitorAPI'], telegraf: ['ReadData'] } });
    expect((await run(['influx-meta', 'users', 'list'])).stdout).toContain('johndoe\t*:KapacitorAPI telegraf:ReadData');

    await run(['influx-meta', 'users', 'delete', 'johndoe']);
    expect(double.user('johndoe')).toBeUndefined();
    await expectNowhere(sandbox, outputs, ['changeit', 'pa5sw0Rd', 'n3wPassw0rd', 'env-password-3']);
  });

  meta('roles create, grant, revoke, add-users, remove-users, list --json, delete', async ({ double, sandbox }) => {
    const { run, json } = runner(sandbox, 'changeit');
    double.addUser('johndoe', 'pw');
    await run(['influx-meta', 'roles', 'create', 'kapacitor']);
    await run(['influx-meta', 'roles', 'grant', 'kapacitor', 'KapacitorAPI', 'KapacitorConfigAPI']);
    await run(['influx-meta', 'roles', 'revoke', 'kapacitor', 'KapacitorConfigAPI']);
    await run(['influx-meta', 'roles', 'add-users', 'kapacitor', 'johndoe', 'admin']);
    await run(['influx-meta', 'roles', 'remove-users', 'kapacitor', 'admin']);
    expect(await json(['influx-meta', 'roles', 'list'])).toEqual([{ name: 'kapacitor', permissions: { '': ['KapacitorAPI'] }, users: ['johndoe'] }]);
    expect(await json(['influx-meta', 'roles', 'delete', 'kapacitor'])).toEqual({ action: 'delete', role: 'kapacitor', url: double.url });
    expect(double.role('kapacitor')).toBeUndefined();
  });

  meta('a profile pointing at a follower: the 307 is followed with the credentials and the body', async ({ double, sandbox }) => {
    const { run } = runner(sandbox, 'changeit');
    await run(['--profile', 'follower', 'influx-meta', 'users', 'create', 'viaf', '--password-stdin'], { input: 'pw-viaf\n' });
    expect(double.checkPassword('viaf', 'pw-viaf')).toBe(true);
    expect(double.requests.map((r) => [r.node, r.auth])).toEqual([['follower-0', 'basic:admin'], ['leader', 'basic:admin']]);
  });

  meta('auth = "jwt": an HS512 JWT signed with AUTHCTL_INFLUX_SHARED_SECRET, no admin password asked; without it a config error (exit 2)', async ({ double, sandbox }) => {
    const { run } = runner(sandbox, '');
    // No AUTHCTL_ADMIN_PASSWORD and an empty stdin: nothing to read, nothing needed.
    await run(['--profile', 'jwt', 'influx-meta', 'users', 'list'], { env: { AUTHCTL_INFLUX_SHARED_SECRET: 'meta-public-secret' } });
    expect(double.requests.at(-1)?.auth).toBe('bearer:admin');
    const missing = await run(['--profile', 'jwt', 'influx-meta', 'users', 'list'], { code: 2 });
    expect(missing.stderr).toContain('AUTHCTL_INFLUX_SHARED_SECRET is not set');
  });

  meta('errors: wrong admin password exit 4 naming the URL; unreachable exit 5; unknown user exit 2; no stack trace', async ({ double, sandbox }) => {
    const { run } = runner(sandbox, 'changeit');
    const denied = await run(['influx-meta', 'users', 'list'], { env: { AUTHCTL_ADMIN_PASSWORD: 'wrong-admin-pw' }, code: 4 });
    expect(denied.stderr).toContain(`the InfluxDB Enterprise meta node at ${double.url}/user refused the credentials: authorization failed`);
    expect(denied.stderr).not.toContain('wrong-admin-pw');
    const gone = await run(['--profile', 'gone', 'influx-meta', 'users', 'list'], { code: 5 });
    expect(gone.stderr).toContain('Cannot reach the InfluxDB Enterprise meta node at http://127.0.0.1:9/user');
    const unknown = await run(['influx-meta', 'users', 'delete', 'ghost'], { code: 2 });
    expect(unknown.stderr).toContain('user not found');
    for (const result of [denied, gone, unknown]) expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  meta('authctl login --profile influx: exit 2, saying the provider has no login', async ({ sandbox }) => {
    const result = await sandbox.run(['login', '--profile', 'influx'], { input: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Provider "influx-meta" of profile influx has no OAuth login');
    expect(result.stderr).toContain('authctl influx-meta --help');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('authctl influx-meta users … with mode = "oss" against a real influxd 1.6', () => {
  let influxd: Influxd;
  let sandbox: Sandbox;
  beforeAll(async () => {
    influxd = await startInfluxd();
    sandbox = await Sandbox.create();
    await sandbox.writeConfig(
      configToml({ influx: { provider: 'influx-meta', url: influxd.url, mode: 'oss', admin: { username: influxd.admin.username } } }, 'influx'),
    );
    const basic = Buffer.from(`${influxd.admin.username}:${influxd.admin.password}`).toString('base64');
    await fetch(`${influxd.url}/query`, { method: 'POST', headers: { authorization: `Basic ${basic}` }, body: new URLSearchParams({ q: 'CREATE DATABASE metrics' }) });
  }, 60_000);
  afterAll(async () => {
    await influxd?.stop();
    await sandbox?.remove();
  });

  /** influxd's own answer to a query as this user: 200 or 401. */
  const asUser = async (name: string, password: string) =>
    (
      await fetch(`${influxd.url}/query`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}` },
        body: new URLSearchParams({ q: 'SHOW DATABASES' }),
      })
    ).status;

  base('create, grant, list --json, revoke, set-password (old password refused at once), delete', async () => {
    const { run, json, outputs } = runner(sandbox, influxd.admin.password);
    await run(['influx-meta', 'users', 'create', 'reader', '--password-stdin'], { input: 'reader-pw-1\n' });
    expect(await asUser('reader', 'reader-pw-1')).toBe(200);
    await run(['influx-meta', 'users', 'grant', 'reader', 'ReadData', 'WriteData', '--database', 'metrics']);
    expect(await json(['influx-meta', 'users', 'list'])).toContainEqual({ name: 'reader', admin: false, permissions: { metrics: ['ReadData', 'WriteData'] } });
    await run(['influx-meta', 'users', 'revoke', 'reader', 'WriteData', '--database', 'metrics']);
    expect(await json(['influx-meta', 'users', 'list'])).toContainEqual({ name: 'reader', admin: false, permissions: { metrics: ['ReadData'] } });
    await run(['influx-meta', 'users', 'set-password', 'reader', '--password-stdin'], { input: 'reader-pw-2\n' });
    expect(await asUser('reader', 'reader-pw-1')).toBe(401);
    expect(await asUser('reader', 'reader-pw-2')).toBe(200);
    await run(['influx-meta', 'users', 'grant', 'reader', '--admin']);
    expect(await json(['influx-meta', 'users', 'list'])).toContainEqual({ name: 'reader', admin: true, permissions: { metrics: ['ReadData'] } });
    await run(['influx-meta', 'users', 'revoke', 'reader', '--admin']);
    await run(['influx-meta', 'users', 'delete', 'reader']);
    expect(await asUser('reader', 'reader-pw-2')).toBe(401);
    await expectNowhere(sandbox, outputs, [influxd.admin.password, 'reader-pw-1', 'reader-pw-2']);
  });

  base('a name and password made to break out of their literals are stored as given and add no admin', async () => {
    const { run, json } = runner(sandbox, influxd.admin.password);
    const name = 'x" WITH PASSWORD \'p\' WITH ALL PRIVILEGES; DROP USER "admin';
    const password = "p' WITH ALL PRIVILEGES\nDROP USER \"admin\"\\";
    await run(['influx-meta', 'users', 'create', name], { env: { AUTHCTL_NEW_PASSWORD: password } });
    expect(await asUser(name, password)).toBe(200);
    const users = (await json(['influx-meta', 'users', 'list'])) as Array<{ name: string; admin: boolean }>;
    expect(users.map((u) => [u.name, u.admin])).toEqual(expect.arrayContaining([[name, false], [influxd.admin.username, true]]));
    await run(['influx-meta', 'users', 'delete', name]);
  });

  base('OSS refusals: roles exit 2; a grant without --database exit 2; a permission OSS lacks exit 2; wrong admin password exit 4 naming the URL', async () => {
    const { run } = runner(sandbox, influxd.admin.password);
    expect((await run(['influx-meta', 'roles', 'list'], { code: 2 })).stderr).toContain('roles do not exist in InfluxDB OSS 1.x');
    expect((await run(['influx-meta', 'users', 'grant', 'admin', 'ReadData'], { code: 2 })).stderr).toContain('per database only');
    expect((await run(['influx-meta', 'users', 'grant', 'admin', 'KapacitorAPI', '--database', 'metrics'], { code: 2 })).stderr).toContain('has no permission KapacitorAPI');
    const denied = await run(['influx-meta', 'users', 'list'], { env: { AUTHCTL_ADMIN_PASSWORD: 'wrong' }, code: 4 });
    expect(denied.stderr).toContain(`InfluxDB at ${influxd.url}/query refused the credentials: authorization failed`);
    expect((await run(['influx-meta', 'users', 'delete', 'ghost'], { code: 2 })).stderr).toContain('user not found');
  });
});
