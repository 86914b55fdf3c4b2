import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { run } from './support/binary.js';
import { makeDataDir, removeDataDir } from './support/test-server.js';

/** `auth-server identities …` and `keys rotate|retire` leave one structured audit line each: who, what, when, never the secret. */

let dir: string;
let configFile: string;
beforeAll(async () => {
  dir = await makeDataDir();
  configFile = join(dir, 'auth-server.toml');
  await writeFile(
    configFile,
    stringify({ listen: '127.0.0.1:0', data_dir: 'data', identities: [{ id: 'ci-runner', methods: { 'universal-auth': { client_id: 'ci-client' } } }] }),
    { mode: 0o600 },
  );
});
afterAll(() => removeDataDir(dir));

/** The JSON lines of stderr with an `audit` field. */
const auditLines = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => 'audit' in line);

describe('admin audit lines', () => {
  test('add-secret and revoke-secret each write one audit line naming the actor, identity and secret id, and never the secret', async () => {
    const before = Date.now();
    const added = await run(['identities', 'add-secret', 'ci-runner', '--config', configFile, '--uses', '2', '--ttl', '3600']);
    expect(added.code).toBe(0);
    const secret = added.stdout.trim();
    const secretId = /Client secret (\S+) for ci-client/.exec(added.stderr)![1];
    expect(auditLines(added.stderr)).toEqual([
      expect.objectContaining({ audit: 'secret_added', actor: userInfo().username, identity: 'ci-runner', client_id: 'ci-client', secret_id: secretId, uses_limit: 2, ttl: 3600 }),
    ]);
    expect(auditLines(added.stderr)[0]!.time).toBeGreaterThanOrEqual(before);

    const revoked = await run(['identities', 'revoke-secret', 'ci-runner', secretId!, '--config', configFile]);
    expect(revoked.code).toBe(0);
    expect(auditLines(revoked.stderr)).toEqual([
      expect.objectContaining({ audit: 'secret_revoked', actor: userInfo().username, identity: 'ci-runner', client_id: 'ci-client', secret_id: secretId }),
    ]);
    expect(added.stderr + revoked.stderr).not.toContain(secret);
    expect(added.stderr + revoked.stderr).not.toContain(secret.slice(0, 8));
  });

  test('a refused change writes no audit line', async () => {
    const refused = await run(['identities', 'revoke-secret', 'ci-runner', 'no-such-secret', '--config', configFile]);
    expect(refused.code).not.toBe(0);
    expect(auditLines(refused.stderr)).toEqual([]);
  });

  test('keys rotate and keys retire each write one audit line naming the actor, the kid and the data dir', async () => {
    const keysDir = join(dir, 'keys');
    const first = await run(['keys', 'rotate', '--data-dir', keysDir]);
    expect(first.code).toBe(0);
    const second = await run(['keys', 'rotate', '--data-dir', keysDir]);
    const [firstKid, secondKid] = [first.stdout.trim(), second.stdout.trim()];
    expect(auditLines(second.stderr)).toEqual([expect.objectContaining({ audit: 'key_rotated', actor: userInfo().username, kid: secondKid, store: keysDir })]);

    const retired = await run(['keys', 'retire', firstKid, '--data-dir', keysDir]);
    expect(retired.code).toBe(0);
    expect(auditLines(retired.stderr)).toEqual([expect.objectContaining({ audit: 'key_retired', actor: userInfo().username, kid: firstKid, store: keysDir })]);
    expect(JSON.stringify(auditLines(first.stderr + second.stderr + retired.stderr))).not.toMatch(/"d"|"k"|private/);
  });
});
