import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseServerConfig } from '../src/index.js';
import { run } from './support/binary.js';

describe('choosing the state backend', () => {
  test('without `state` the data dir keeps the state (the default), with Redis options at their defaults', () => {
    const config = parseServerConfig({ data_dir: 'data' }, 'auth-server.toml');
    expect(config.state).toBeUndefined();
    expect(config.redis).toMatchObject({ key_prefix: 'auth-server:', password_env: 'AUTH_SERVER_REDIS_PASSWORD', command_timeout_ms: 1000 });
  });

  test('`state` takes redis://, rediss:// and unix:// URLs, and a [redis] table of TLS files, a user and a per-deployment prefix', () => {
    for (const state of ['redis://127.0.0.1:6379', 'rediss://redis.example.com:6380/1', 'unix:///run/redis/redis.sock']) {
      expect(parseServerConfig({ data_dir: 'data', state }, 'auth-server.toml').state).toBe(state);
    }
    const config = parseServerConfig(
      { data_dir: 'data', state: 'rediss://redis.example.com', redis: { key_prefix: '{prod}:', username: 'auth', tls_ca_file: '/etc/ssl/redis-ca.pem' } },
      'auth-server.toml',
    );
    expect(config.redis).toMatchObject({ key_prefix: '{prod}:', username: 'auth', tls_ca_file: '/etc/ssl/redis-ca.pem' });
  });

  test('a password in the state URL is refused, naming the key and where the password goes instead', () => {
    expect(() => parseServerConfig({ data_dir: 'data', state: 'redis://:hunter2@127.0.0.1:6379' }, 'auth-server.toml')).toThrow(
      /state: must not carry a password: set it in the environment variable named by redis\.password_env/,
    );
  });

  test('Redis Sentinel: [redis] sentinels and sentinel_master name the sentinels and the master they elect, with its own password variable', () => {
    const config = parseServerConfig(
      { data_dir: 'data', state: 'rediss://auth@mymaster/2', redis: { sentinels: ['10.0.0.1:26379', '[2001:db8::2]:26379'], sentinel_master: 'mymaster' } },
      'auth-server.toml',
    );
    expect(config.redis).toMatchObject({
      sentinels: ['10.0.0.1:26379', '[2001:db8::2]:26379'],
      sentinel_master: 'mymaster',
      sentinel_password_env: 'AUTH_SERVER_REDIS_SENTINEL_PASSWORD',
    });
  });

  test('Redis Sentinel settings that cannot work are refused, naming the key and what to set', () => {
    const parse = (state: string, redis: Record<string, unknown>) => () => parseServerConfig({ data_dir: 'data', state, redis }, 'auth-server.toml');
    expect(parse('redis://mymaster', { sentinels: ['10.0.0.1:26379'] })).toThrow(/redis\.sentinel_master: is required with redis\.sentinels/);
    expect(parse('redis://mymaster', { sentinel_master: 'mymaster' })).toThrow(/redis\.sentinels: is required with redis\.sentinel_master/);
    expect(parse('redis://mymaster', { sentinels: ['10.0.0.1'], sentinel_master: 'mymaster' })).toThrow(/redis\.sentinels\[0\]: must be HOST:PORT/);
    expect(parse('redis://mymaster', { sentinels: [], sentinel_master: 'mymaster' })).toThrow(/redis\.sentinels: must list at least one sentinel/);
    expect(parse('unix:///run/redis.sock', { sentinels: ['10.0.0.1:26379'], sentinel_master: 'mymaster' })).toThrow(
      /state: must be redis:\/\/ or rediss:\/\/ with redis\.sentinels/,
    );
  });

  test('another scheme is refused with an example', () => {
    expect(() => parseServerConfig({ data_dir: 'data', state: 'memcached://127.0.0.1' }, 'auth-server.toml')).toThrow(/state: must be a redis:\/\/, rediss:\/\/ or unix:\/\/ URL/);
  });

  test('`--state` with a bad URL exits 2 with the reason; a Redis that is not there exits 1 naming it, without a stack trace', async () => {
    const bad = await run(['--dev', '--listen', '127.0.0.1:0', '--state', 'redis://:secret@127.0.0.1:1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--state: must not carry a password');
    expect(bad.stderr).not.toContain('secret@');

    const dataDir = await mkdtemp(join(tmpdir(), 'state-config-'));
    const absent = await run(['--dev', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--state', 'unix:///nonexistent/redis.sock', '--issuer', 'http://127.0.0.1:8080'], {
      env: { AUTH_SERVER_DEV_PASSWORD: 'x-password-0123456789', AUTH_SERVER_DEV_CLIENT_SECRET: 'x-secret-0123456789abcdef', AUTH_SERVER_DEV_MACHINE_SECRET: 'y'.repeat(64) },
    });
    await rm(dataDir, { recursive: true, force: true });
    expect(absent.code).toBe(1);
    expect(absent.stderr).toContain('auth-server: cannot reach Redis at unix:///nonexistent/redis.sock (state)');
    expect(absent.stderr).not.toMatch(/^\s+at /m);
  });
});
