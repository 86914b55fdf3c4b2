import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashSecret, loadServerConfig, parseServerConfig } from '../src/index.js';
import { run, start } from './support/binary.js';

let dir: string;
let hash: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'auth-server-config-'));
  hash = await hashSecret('s3cret-for-tests');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const invalid = (raw: unknown) => {
  try {
    parseServerConfig(raw, '/etc/auth-server.toml');
  } catch (error) {
    return error as Error & { code: string; details: { key?: string; file?: string } };
  }
  throw new Error('expected the config to be refused');
};

describe('config validation names the key', () => {
  test('a redirect URI that is not a URL: "clients[1].redirect_uris[0]: must be a URL"', () => {
    const error = invalid({
      data_dir: 'data',
      clients: [
        { client_id: 'cli', grants: ['device_code'] },
        { client_id: 'web', grants: ['authorization_code'], redirect_uris: ['not a url'] },
      ],
    });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('clients[1].redirect_uris[0]: must be a URL');
    expect(error.details).toMatchObject({ key: 'clients[1].redirect_uris[0]', file: '/etc/auth-server.toml' });
  });

  test('a plain-text password or client secret is refused with a pointer to hash-password', () => {
    const error = invalid({
      data_dir: 'data',
      users: [{ username: 'alice', password: 'hunter2' }],
      clients: [{ client_id: 'svc', client_secret: 'plain', grants: ['client_credentials'] }],
    });
    expect(error.message).toContain('users[0].password: plain-text secrets are not accepted; set password_hash');
    expect(error.message).toContain('clients[0].client_secret: plain-text secrets are not accepted; set secret_hash');
    expect(error.message).not.toContain('hunter2');
  });

  test('missing keys, bad hashes, unknown grants and bad addresses are each named', () => {
    const error = invalid({
      users: [{ username: 'bob', password_hash: 'md5:abc' }],
      clients: [{ client_id: 'svc', grants: ['client_credentials', 'implicit'] }],
      listen: 'localhost',
    });
    for (const line of [
      'data_dir: is required',
      'users[0].password_hash: must be a PHC scrypt hash',
      'clients[0].grants[1]: Invalid option',
      'listen: must be HOST:PORT',
    ]) {
      expect(error.message).toContain(line);
    }
  });

  test('rules across keys are named: duplicates, one default resource, confidential client credentials, https issuer', () => {
    const error = invalid({
      data_dir: 'data',
      issuer: 'http://auth.example.com',
      clients: [
        { client_id: 'svc', grants: ['client_credentials'] },
        { client_id: 'svc', grants: ['authorization_code'], secret_hash: hash },
      ],
      resources: [{ identifier: 'urn:a', default: true }, { identifier: 'urn:b', default: true }],
    });
    for (const line of [
      'issuer: must be https://',
      'clients[0].grants: client_credentials needs a confidential client',
      'clients[1].client_id: is used by another client',
      'clients[1].redirect_uris: authorization_code needs at least one redirect URI',
      'resources[1].default: only one resource can be the default',
    ]) {
      expect(error.message).toContain(line);
    }
  });

  test('listening on every address needs an issuer: the URLs it publishes cannot be derived from 0.0.0.0 or ::', () => {
    for (const listen of ['0.0.0.0:8080', '[::]:8080']) {
      const error = invalid({ data_dir: 'data', listen });
      expect(error.message).toContain(`issuer: is required when listen is ${listen}`);
    }
    expect(parseServerConfig({ data_dir: 'data', listen: '0.0.0.0:8080', issuer: 'https://auth.example.com' }, '/etc/auth-server.toml').issuer).toBe(
      'https://auth.example.com',
    );
  });

  test('lockout and trusted_hosts default to 5 failures, 20 per address, 1 s doubling to 15 min, no extra hosts; bad values are named', () => {
    const config = parseServerConfig({ data_dir: 'data' }, '/etc/auth-server.toml');
    expect(config.lockout).toEqual({ failures: 5, address_failures: 20, first_lock_seconds: 1, max_lock_seconds: 900 });
    expect(config.trusted_hosts).toEqual([]);
    const error = invalid({
      data_dir: 'data',
      trusted_hosts: ['auth-upstream:8080', 'https://auth.example.com/'],
      lockout: { failures: 0, first_lock_seconds: 60, max_lock_seconds: 30 },
    });
    for (const line of [
      'trusted_hosts[1]: must be a host name or host:port',
      'lockout.failures: must be positive',
      'lockout.max_lock_seconds: must be at least first_lock_seconds',
    ]) {
      expect(error.message).toContain(line);
    }
    expect(error.message).not.toContain('trusted_hosts[0]');
  });

  test('TOML and YAML files load to the same config, data_dir relative to the file', async () => {
    const toml = join(dir, 'server.toml');
    const yaml = join(dir, 'server.yaml');
    await writeFile(toml, `data_dir = "state"\n[[users]]\nusername = "alice"\npassword_hash = "${hash}"\n`);
    await writeFile(yaml, `data_dir: state\nusers:\n  - username: alice\n    password_hash: "${hash}"\n`);
    const fromToml = await loadServerConfig(toml);
    expect(fromToml.data_dir).toBe(join(dir, 'state'));
    expect(fromToml.users[0]?.username).toBe('alice');
    expect(await loadServerConfig(yaml)).toEqual(fromToml);
  });
});

describe('auth-server --config on bad input', () => {
  test('a malformed config exits 2 naming the key, with no stack trace', async () => {
    const file = join(dir, 'bad.toml');
    await writeFile(file, `data_dir = "state"\n[[clients]]\nclient_id = "a"\ngrants = ["device_code"]\n[[clients]]\nclient_id = "b"\ngrants = ["authorization_code"]\nredirect_uris = ["::nope"]\n`);
    const result = await run(['--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('clients[1].redirect_uris[0]: must be a URL');
    expect(result.stderr).toContain(file);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe('');
  });

  test('a TOML syntax error exits 2 naming the line', async () => {
    const file = join(dir, 'syntax.toml');
    await writeFile(file, 'data_dir = "state"\nusers = [\n');
    const result = await run(['--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not valid TOML \(line \d+, column \d+\)/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  test('a missing config file and bad flags exit 2', async () => {
    expect((await run(['--config', join(dir, 'absent.toml')])).code).toBe(2);
    expect((await run(['--listen', 'nonsense', '--dev'])).code).toBe(2);
    expect((await run([])).code).toBe(2);
  });

  test('a valid config serves its issuer', async () => {
    const file = join(dir, 'good.toml');
    await writeFile(
      file,
      `listen = "127.0.0.1:0"\ndata_dir = "good-state"\n[[clients]]\nclient_id = "svc"\nsecret_hash = "${hash}"\ngrants = ["client_credentials"]\n`,
    );
    const server = await start(['--config', file]);
    try {
      const discovery = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as { issuer: string };
      expect(discovery.issuer).toBe(server.issuer);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

describe('auth-server hash-password', () => {
  test('reads the password from stdin and prints a PHC scrypt hash that verifies it', async () => {
    const { verifySecret } = await import('../src/index.js');
    const result = await run(['hash-password'], { input: 'pa55word with spaces\n' });
    expect(result.code).toBe(0);
    const phc = result.stdout.trim();
    expect(phc).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(await verifySecret('pa55word with spaces', phc)).toBe(true);
    expect(await verifySecret('pa55word with spaces\n', phc)).toBe(false);
  });

  test('an empty stdin exits 2', async () => {
    const result = await run(['hash-password'], { input: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no password on stdin');
  });
});
