import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { run, start } from './support/binary.js';
import { makeDataDir, removeDataDir } from './support/test-server.js';

let dir: string;
let configFile: string;
beforeAll(async () => {
  dir = await makeDataDir();
  configFile = join(dir, 'auth-server.toml');
  await writeFile(
    configFile,
    stringify({
      listen: '127.0.0.1:0',
      data_dir: 'data',
      identities: [
        { id: 'ci-runner', methods: { 'universal-auth': { client_id: 'ci-client' } } },
        { id: 'k8s-app', methods: { 'jwt-auth': { jwks_url: 'https://ci.example/jwks', bound_issuer: 'https://ci.example' } } },
      ],
    }),
    { mode: 0o600 },
  );
});
afterAll(() => removeDataDir(dir));

const login = (issuer: string, clientId: string, clientSecret: string) =>
  fetch(`${issuer}/api/v1/auth/universal-auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ clientId, clientSecret }),
  });

describe('auth-server identities …', () => {
  test('add-secret prints the secret once on stdout; a running server accepts it at once and refuses it once revoked', async () => {
    const server = await start(['--config', configFile]);
    try {
      const added = await run(['identities', 'add-secret', 'ci-runner', '--config', configFile, '--uses', '3', '--description', 'CI']);
      expect(added.code).toBe(0);
      const secret = added.stdout.trim();
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      const secretId = /Client secret (\S+) for ci-client/.exec(added.stderr)?.[1];
      expect(secretId).toBeTruthy();

      expect((await login(server.issuer, 'ci-client', secret)).status).toBe(200);

      const listed = await run(['identities', 'list-secrets', 'ci-runner', '--config', configFile]);
      expect(listed.stdout).toContain(`${secretId}\t${secret.slice(0, 8)}…`);
      expect(listed.stdout).toContain('/3 uses');
      expect(listed.stdout).not.toContain(secret);

      const revoked = await run(['identities', 'revoke-secret', 'ci-runner', secretId!, '--config', configFile]);
      expect(revoked.code).toBe(0);
      expect((await login(server.issuer, 'ci-client', secret)).status).toBe(401);
      expect(server.stdout() + server.stderr()).not.toContain(secret);
    } finally {
      await server.stop();
    }
  });

  test('eight concurrent add-secret commands keep all eight secrets (the read-modify-write of identity-secrets.json is locked)', async () => {
    const added = await Promise.all(Array.from({ length: 8 }, () => run(['identities', 'add-secret', 'ci-runner', '--config', configFile, '--description', 'race'])));
    expect(added.map((result) => result.code)).toEqual(Array(8).fill(0));
    const ids = added.map((result) => /Client secret (\S+) for ci-client/.exec(result.stderr)![1]!);
    const listed = await run(['identities', 'list-secrets', 'ci-runner', '--config', configFile]);
    for (const id of ids) expect(listed.stdout).toContain(`${id}\t`);
  });

  test('list names each identity with its methods and client id', async () => {
    const listed = await run(['identities', 'list', '--config', configFile]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe('ci-runner\tuniversal-auth\tclient_id=ci-client\nk8s-app\tjwt-auth\n');
  });

  test('an unknown identity, or one without universal-auth, is a usage error (exit 2) saying what to do', async () => {
    const unknown = await run(['identities', 'add-secret', 'nobody', '--config', configFile]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no identity "nobody"');
    const noSecrets = await run(['identities', 'add-secret', 'k8s-app', '--config', configFile]);
    expect(noSecrets.code).toBe(2);
    expect(noSecrets.stderr).toContain('does not bind universal-auth');
    expect(noSecrets.stdout).toBe('');
  });

  test('--dev generates the demo-machine secret once, keeps only its hash, and it still works after a restart', async () => {
    const devDir = join(dir, 'dev');
    const first = await start(['--dev', '--listen', '127.0.0.1:0', '--data-dir', devDir]);
    const secret = /demo-machine \/ (\S+) {3}\(generated/.exec(first.stderr())?.[1];
    expect(secret).toBeTruthy();
    expect((await login(first.issuer, 'demo-machine', secret!)).status).toBe(200);
    await first.stop();
    const second = await start(['--dev', '--listen', '127.0.0.1:0', '--data-dir', devDir]);
    try {
      expect(second.stderr()).toContain('demo-machine / (unchanged');
      expect(second.stderr()).not.toContain(secret);
      expect((await login(second.issuer, 'demo-machine', secret!)).status).toBe(200);
      const listed = await run(['identities', 'list-secrets', 'demo-machine', '--data-dir', devDir]);
      expect(listed.stdout).toMatch(/^dev\t/);
    } finally {
      await second.stop();
    }
  });
});
