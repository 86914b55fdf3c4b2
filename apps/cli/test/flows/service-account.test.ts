import { clientSecretKey } from '@auth/core';
import { describe, expect } from 'vitest';
import { test } from '../support/fixtures.js';
import { configToml } from '../support/profiles.js';
import { filesContaining } from './support/files-containing.js';
import { printLiveToken } from './support/live-token.js';

describe('service account (client credentials, kxi --serviceaccount)', () => {
  test('configure with the secret on stdin, login --serviceaccount, print-token: the token is live and the secret is in no output and not in config.toml', async ({
    idp,
    sandbox,
  }) => {
    const secret = idp.clients.confidential.secret;
    const outputs: string[] = [];
    const authctl = async (args: string[], input?: string) => {
      const result = await sandbox.run(args, input === undefined ? {} : { input });
      outputs.push(result.stdout, result.stderr);
      expect(result.code, `authctl ${args.join(' ')}\n${result.stderr}`).toBe(0);
      return result;
    };

    await authctl(
      [
        '--profile',
        'robot',
        'configure',
        '--provider',
        'oidc',
        '--set',
        `issuer=${idp.issuer}`,
        '--client-id',
        idp.clients.public,
        '--service-account-id',
        idp.clients.confidential.id,
        '--client-secret-stdin',
        '--default',
      ],
      `${secret}\n`,
    );
    // No AUTHCTL_CLIENT_SECRET and nothing on stdin: the secret can only come from the credential store.
    await authctl(['login', '--serviceaccount']);
    const { introspection } = await printLiveToken(idp, sandbox);
    expect(introspection.client_id).toBe(idp.clients.confidential.id);
    await authctl(['status', '--json']);
    await authctl(['profile', 'show', 'robot']);

    const config = await sandbox.readConfig();
    expect(config).toContain(`client_id = "${idp.clients.confidential.id}"`);
    expect(config).not.toContain(secret);
    expect(await filesContaining(sandbox.home, secret), 'only the credential store holds the secret').toEqual([
      sandbox.credentialFile(clientSecretKey('robot')),
    ]);
    for (const output of outputs) expect(output).not.toContain(secret);
  });

  test('kxi’s variables: KXI_SERVICEACCOUNT_ID and KXI_SERVICEACCOUNT_SECRET log a service account in when the profile names none; the secret is in no output', async ({
    idp,
    sandbox,
  }) => {
    await sandbox.writeConfig(configToml({ dev: { provider: 'oidc', issuer: idp.issuer, client_id: idp.clients.public } }, 'dev'));
    const secret = idp.clients.confidential.secret;
    const env = { KXI_SERVICEACCOUNT_ID: idp.clients.confidential.id, KXI_SERVICEACCOUNT_SECRET: secret };

    const login = await sandbox.run(['login', '--serviceaccount', '--verbose'], { env });

    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout + login.stderr).not.toContain(secret);
    const { introspection } = await printLiveToken(idp, sandbox);
    expect(introspection.client_id).toBe(idp.clients.confidential.id);
    expect(await filesContaining(sandbox.home, secret), 'the secret came from the environment and stays there').toEqual([]);
  });

  test('AUTHCTL_SERVICE_ACCOUNT_ID and AUTHCTL_CLIENT_SECRET win over their kxi aliases', async ({ idp, sandbox }) => {
    await sandbox.writeConfig(configToml({ dev: { provider: 'oidc', issuer: idp.issuer, client_id: idp.clients.public } }, 'dev'));
    const env = {
      AUTHCTL_SERVICE_ACCOUNT_ID: idp.clients.confidential.id,
      AUTHCTL_CLIENT_SECRET: idp.clients.confidential.secret,
      KXI_SERVICEACCOUNT_ID: 'not-a-client',
      KXI_SERVICEACCOUNT_SECRET: 'not-the-secret',
    };

    const login = await sandbox.run(['login', '--serviceaccount'], { env });

    expect(login.code, login.stderr).toBe(0);
    expect((await printLiveToken(idp, sandbox)).introspection.client_id).toBe(idp.clients.confidential.id);
  });
});
