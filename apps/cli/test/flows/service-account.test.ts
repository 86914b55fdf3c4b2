import { clientSecretKey } from '@auth/core';
import { describe, expect } from 'vitest';
import { test } from '../support/fixtures.js';
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
});
