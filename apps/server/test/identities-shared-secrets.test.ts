import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRedis, type RedisServer } from '@auth/testkit';
import { stringify } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { run, start, type RunningBinary } from './support/binary.js';
import { makeDataDir, removeDataDir } from './support/test-server.js';

/** With `state` in Redis, `auth-server identities …` keeps universal-auth secret records there: made through one instance's config, they work on every instance. */

let dir: string;
let redis: RedisServer;
const configs: string[] = [];
beforeAll(async () => {
  [dir, redis] = await Promise.all([makeDataDir(), startRedis()]);
  for (const name of ['a', 'b']) {
    const file = join(dir, `${name}.toml`);
    await writeFile(
      file,
      stringify({
        listen: '127.0.0.1:0',
        data_dir: name,
        state: redis.url,
        redis: { key_prefix: 'shared-secrets:' },
        identities: [{ id: 'ci-runner', methods: { 'universal-auth': { client_id: 'ci-client' } } }],
      }),
      { mode: 0o600 },
    );
    configs.push(file);
  }
});
afterAll(async () => {
  await redis?.close();
  if (dir) await removeDataDir(dir);
});

const login = (issuer: string, clientSecret: string) =>
  fetch(`${issuer}/api/v1/auth/universal-auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ clientId: 'ci-client', clientSecret }),
    signal: AbortSignal.timeout(10_000),
  });

describe('universal-auth secrets shared in Redis', () => {
  test('a secret added with one instance\'s config logs in on both; revoked with the other\'s, it is refused on both', async () => {
    const [a, b] = (await Promise.all(configs.map((config) => start(['--config', config])))) as [RunningBinary, RunningBinary];
    try {
      const added = await run(['identities', 'add-secret', 'ci-runner', '--config', configs[0]!]);
      expect(added.code, added.stderr).toBe(0);
      const secret = added.stdout.trim();
      const secretId = /Client secret (\S+) for ci-client/.exec(added.stderr)![1]!;
      expect((await login(a.issuer, secret)).status).toBe(200);
      expect((await login(b.issuer, secret)).status).toBe(200);

      const listed = await run(['identities', 'list-secrets', 'ci-runner', '--config', configs[1]!]);
      expect(listed.stdout).toContain(`${secretId}\t${secret.slice(0, 8)}…`);
      expect(listed.stdout).toContain('2 uses');

      const revoked = await run(['identities', 'revoke-secret', 'ci-runner', secretId, '--config', configs[1]!]);
      expect(revoked.code, revoked.stderr).toBe(0);
      expect((await login(a.issuer, secret)).status).toBe(401);
      expect((await login(b.issuer, secret)).status).toBe(401);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  test('eight add-secret commands at once through both configs keep all eight secrets', async () => {
    const added = await Promise.all(Array.from({ length: 8 }, (_, i) => run(['identities', 'add-secret', 'ci-runner', '--config', configs[i % 2]!])));
    expect(added.map((result) => result.code)).toEqual(Array(8).fill(0));
    const listed = await run(['identities', 'list-secrets', 'ci-runner', '--config', configs[0]!]);
    for (const result of added) expect(listed.stdout).toContain(`${/Client secret (\S+) for ci-client/.exec(result.stderr)![1]}\t`);
  });
});
