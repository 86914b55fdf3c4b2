import { describe, expect } from 'vitest';
import { devProfileTest as test } from './support/fixtures.js';
import { redateStoredLogin } from './flows/support/token-expiry.js';
import { configToml, idpProfile } from './support/profiles.js';
import { STACK_FRAME } from './support/sandbox.js';

const SECRET = { AUTHCTL_CLIENT_SECRET: 'svc-secret' };

describe('authctl status', () => {
  test('a profile that is not logged in: exit 3, stderr names `authctl login --profile dev`, --json still prints one parseable object', async ({
    sandbox,
  }) => {
    const human = await sandbox.run(['status']);
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(/^logged_in\s+false$/m);
    expect(human.stderr).toMatch(/^authctl: profile dev is not logged in$/m);
    expect(human.stderr).toMatch(/^hint: .*`authctl login --profile dev`/m);
    expect(human.stderr).not.toMatch(STACK_FRAME);

    const json = await sandbox.run(['status', '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ profile: 'dev', provider: 'oidc', logged_in: false, identity: null, expires_at: null });
    expect(json.stderr).toContain('authctl login --profile dev');
  });

  test('a logged-in profile: exit 0, the expiry also as relative time ("in 59 minutes")', async ({ idp, sandbox }) => {
    idp.setAccessTokenTtl(3600);
    expect((await sandbox.run(['login', '--serviceaccount'], { env: SECRET })).code).toBe(0);

    const status = await sandbox.run(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^expires_at\s+\d{4}-\d\d-\d\dT\S+Z \(in 59 minutes\)$/m);
    const json = JSON.parse((await sandbox.run(['status', '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ logged_in: true, identity: 'svc' });
  });

  test('an expired service-account token still counts as logged in (print-token logs in again silently): exit 0, expired true', async ({ idp, sandbox }) => {
    idp.setAccessTokenTtl(3600);
    expect((await sandbox.run(['login', '--serviceaccount'], { env: SECRET })).code).toBe(0);
    await redateStoredLogin(sandbox, -10);

    const status = await sandbox.run(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ logged_in: true, expired: true, refreshable: false, flow: 'client-credentials' });
  });
});

describe('a typo gets "did you mean", never a suggestion to create or install the typo', () => {
  test('--profile devv when dev exists', async ({ idp, sandbox }) => {
    await sandbox.writeConfig(configToml({ dev: idpProfile(idp.issuer), prod: idpProfile(idp.issuer) }, 'dev'));
    for (const args of [['--profile', 'devv', 'status'], ['--profile', 'devv', 'print-token'], ['--profile', 'devv', 'login']]) {
      const result = await sandbox.run(args);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain('did you mean dev?');
      expect(result.stderr).toContain('--profile dev');
      expect(result.stderr).not.toContain('configure --profile devv');
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
  });

  test('a provider typo in configure', async ({ sandbox }) => {
    const result = await sandbox.run(['configure', '--profile', 'new', '--provider', 'oidcc', '--client-id', 'x']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('did you mean oidc?');
    expect(result.stderr).not.toMatch(/install|pnpm add|npm i/);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});
