import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCA, startRedis, type RedisServer } from '@auth/testkit';
import { Redis } from 'ioredis';
import type { Adapter } from 'oidc-provider';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LockoutPolicy } from '../src/guard/lockout-policy.js';
import { makeClientSecret, type ClientSecretRecord } from '../src/machine/client-secrets.js';
import { connectRedis } from '../src/redis/redis-connection.js';
import { PENDING_ATTEMPT_MS, RedisLockoutStore } from '../src/redis/redis-lockout-store.js';
import {
  addSharedClientSecret,
  readSharedClientSecrets,
  RedisClientSecretStore,
  RedisTokenRevocationStore,
  revokeSharedClientSecret,
} from '../src/redis/redis-machine-stores.js';
import { RedisStateStore } from '../src/redis/redis-state-store.js';
import { DEFAULT_REDIS_OPTIONS } from '../src/redis/state-backend-config.js';

/**
 * The Redis stores against a real redis-server, each "instance" its own
 * connection (as two auth-server processes would have), so that every race
 * below goes through Redis and nothing is shared in this process.
 */

let redis: RedisServer;
const connections: Redis[] = [];
const silent = pino({ level: 'silent' });
const connect = async (prefix = 'test:') => {
  const connection = await connectRedis(redis.url, { ...DEFAULT_REDIS_OPTIONS, key_prefix: prefix }, {}, silent);
  connections.push(connection);
  return connection;
};
const keysOf = async (connection: Redis) => (await connection.keys('*')).sort();

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const connection of connections) connection.disconnect();
  await redis?.close();
});

const POLICY: LockoutPolicy = { freeFailures: 3, firstLockMs: 60_000, maxLockMs: 600_000 };

describe('RedisLockoutStore', () => {
  test('failures counted by one instance lock the key on another, until the lock has passed', async () => {
    const [a, b] = [new RedisLockoutStore(await connect(), 'lock1:', 1000), new RedisLockoutStore(await connect(), 'lock1:', 1000)];
    for (let i = 0; i < 3; i++) {
      expect(await a.attempt('account:x', 1000, POLICY)).toEqual({ admitted: true });
      await a.fail('account:x', 1000);
    }
    expect(await b.attempt('account:x', 2000, POLICY)).toEqual({ admitted: false, lockedUntil: 61_000 });
    expect(await b.attempt('account:x', 61_000, POLICY)).toEqual({ admitted: true });
  });

  test('parallel guesses from two instances meet the lock as surely as sequential ones: one at a time past the free failures', async () => {
    const [a, b] = [new RedisLockoutStore(await connect(), 'lock2:', 1000), new RedisLockoutStore(await connect(), 'lock2:', 1000)];
    await a.attempt('client:y', 1000, POLICY);
    await a.fail('client:y', 1000);
    await a.attempt('client:y', 1000, POLICY);
    await a.fail('client:y', 1000);
    const verdicts = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).attempt('client:y', 1001, POLICY)));
    expect(verdicts.filter((verdict) => verdict.admitted)).toHaveLength(1);
  });

  test('a key with no failures admits any number of parallel attempts, and a right credential forgets the key', async () => {
    const connection = await connect();
    const store = new RedisLockoutStore(connection, 'lock3:', 1000);
    const verdicts = await Promise.all(Array.from({ length: 10 }, () => store.attempt('client:busy', 1000, POLICY)));
    expect(verdicts.every((verdict) => verdict.admitted)).toBe(true);
    for (let i = 0; i < 10; i++) await store.clear('client:busy');
    expect(await connection.exists('lock3:lockout:client:busy')).toBe(0);
  });

  test('attempts left pending by an instance killed mid-check stop counting PENDING_ATTEMPT_MS after they were admitted', async () => {
    const [killed, survivor] = [new RedisLockoutStore(await connect(), 'lock5:', 1000), new RedisLockoutStore(await connect(), 'lock5:', 1000)];
    await survivor.attempt('account:z', 1000, POLICY);
    await survivor.fail('account:z', 1000);
    await survivor.attempt('account:z', 1000, POLICY);
    await survivor.fail('account:z', 1000);
    // The killed instance admitted the one attempt left and never settled it.
    expect(await killed.attempt('account:z', 2000, POLICY)).toEqual({ admitted: true });
    expect(await survivor.attempt('account:z', 2000 + PENDING_ATTEMPT_MS - 1, POLICY)).toMatchObject({ admitted: false });
    expect(await survivor.attempt('account:z', 2000 + PENDING_ATTEMPT_MS, POLICY)).toEqual({ admitted: true });
    // ...and the lock still holds: that one is pending now, and its failure locks the key.
    expect(await survivor.attempt('account:z', 2000 + PENDING_ATTEMPT_MS, POLICY)).toMatchObject({ admitted: false });
    await survivor.fail('account:z', 2000 + PENDING_ATTEMPT_MS);
    expect(await survivor.attempt('account:z', 3000 + PENDING_ATTEMPT_MS, POLICY)).toEqual({ admitted: false, lockedUntil: 62_000 + PENDING_ATTEMPT_MS });
  });

  test('every key it writes carries the prefix and a TTL of twice the longest lock', async () => {
    const connection = await connect();
    const store = new RedisLockoutStore(connection, 'lock4:', 1000);
    await store.attempt('address:192.0.2.1', 1000, POLICY);
    await store.fail('address:192.0.2.1', 1000);
    expect(await connection.keys('lock4:*')).toEqual(['lock4:lockout:address:192.0.2.1']);
    const ttl = await connection.pttl('lock4:lockout:address:192.0.2.1');
    expect(ttl).toBeGreaterThan(600_000);
    expect(ttl).toBeLessThanOrEqual(1_200_000);
  });
});

describe('RedisStateStore (oidc-provider adapter)', () => {
  const adapters = async (prefix: string, model: string): Promise<[Adapter, Adapter]> => {
    const [A, B] = [new RedisStateStore(await connect(), prefix).adapterClass(), new RedisStateStore(await connect(), prefix).adapterClass()];
    return [new A(model), new B(model)];
  };

  test('a record written by one instance is found by another, by id, uid and user code, and expires with its TTL', async () => {
    const [a, b] = await adapters('state1:', 'DeviceCode');
    await a.upsert('dc1', { uid: 'u1', userCode: 'ABCD-EFGH', grantId: 'g1', kind: 'DeviceCode' }, 120);
    expect(await b.find('dc1')).toMatchObject({ uid: 'u1' });
    expect(await b.findByUid!('u1')).toMatchObject({ userCode: 'ABCD-EFGH' });
    expect(await b.findByUserCode!('ABCD-EFGH')).toMatchObject({ uid: 'u1' });
    const connection = connections.at(-1)!;
    for (const key of await keysOf(connection)) {
      if (!key.startsWith('state1:')) continue;
      const ttl = await connection.pttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(120_000);
    }
    expect((await keysOf(connection)).filter((key) => key.startsWith('state1:'))).toEqual([
      'state1:issuer:DeviceCode:dc1',
      'state1:issuer:DeviceCode:uid:u1',
      'state1:issuer:DeviceCode:userCode:ABCD-EFGH',
      'state1:issuer:grant:g1',
    ]);
  });

  test('of ten instances consuming one refresh token at once exactly one succeeds; the others get invalid_grant and the grant is revoked', async () => {
    const store = async () => new (new RedisStateStore(await connect(), 'state2:').adapterClass())('RefreshToken');
    const stores = await Promise.all(Array.from({ length: 10 }, store));
    await stores[0]!.upsert('rt1', { grantId: 'g2', kind: 'RefreshToken' }, 600);
    await stores[0]!.upsert('at1', { grantId: 'g2', kind: 'AccessToken' }, 600);
    const results = await Promise.allSettled(stores.map((adapter) => adapter.consume('rt1')));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toMatchObject({ error: 'invalid_grant' });
    expect(await stores[1]!.find('rt1')).toBeUndefined();
    expect(await stores[1]!.find('at1')).toBeUndefined();
  });

  test('a consumed record reads back as consumed on every instance', async () => {
    const [a, b] = await adapters('state3:', 'AuthorizationCode');
    await a.upsert('code1', { grantId: 'g3', kind: 'AuthorizationCode' }, 60);
    await a.consume('code1');
    expect(await b.find('code1')).toMatchObject({ consumed: expect.any(Number) });
  });

  test('revoking a grant on one instance deletes its records of every model', async () => {
    const [a, b] = await adapters('state4:', 'RefreshToken');
    await a.upsert('rt', { grantId: 'g4' }, 600);
    await a.upsert('rt-other', { grantId: 'g5' }, 600);
    await b.revokeByGrantId!('g4');
    expect(await a.find('rt')).toBeUndefined();
    expect(await a.find('rt-other')).toMatchObject({ grantId: 'g5' });
  });
});

describe('machine stores', () => {
  const record = (id: string, uses_limit?: number): ClientSecretRecord => ({ id, identity: 'm', prefix: 'abcdefgh', hash: '', description: '', created_at: 0, ...(uses_limit ? { uses_limit } : {}) });

  test('a secret limited to 5 uses admits exactly 5 of 16 concurrent logins spread over two instances', async () => {
    const local = { candidates: async () => [] };
    const [a, b] = [new RedisClientSecretStore(local, await connect(), 'm1:'), new RedisClientSecretStore(local, await connect(), 'm1:')];
    const admitted = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).consumeUse(record('s1', 5))));
    expect(admitted.filter(Boolean)).toHaveLength(5);
  });

  test('client secret records added through one instance are candidates on every other (16 added at once, none lost) until revoked on any', async () => {
    const [one, other] = [await connect(), await connect()];
    const made = await Promise.all(Array.from({ length: 16 }, () => makeClientSecret('m')));
    await Promise.all(made.map(({ record }, i) => addSharedClientSecret(i % 2 ? one : other, 'm3:', record)));
    expect((await readSharedClientSecrets(other, 'm3:', 'm')).map((r) => r.id).sort()).toEqual(made.map(({ record }) => record.id).sort());

    const store = new RedisClientSecretStore({ candidates: async () => [] }, other, 'm3:');
    const { record, secret } = made[0]!;
    expect(await store.candidates('m', secret)).toContainEqual(record);
    expect(await revokeSharedClientSecret(one, 'm3:', 'm', record.id, 1000)).toBe(true);
    expect((await store.candidates('m', secret)).map((r) => r.id)).not.toContain(record.id);
    expect((await readSharedClientSecrets(other, 'm3:', 'm')).find((r) => r.id === record.id)?.revoked_at).toBe(1000);
    expect(await revokeSharedClientSecret(one, 'm3:', 'm', 'no-such-id', 1000)).toBe(false);
  });

  test('a machine login revoked on one instance is refused on another until its last token expires, then forgotten', async () => {
    const connection = await connect();
    const [a, b] = [new RedisTokenRevocationStore(connection, 'm2:'), new RedisTokenRevocationStore(await connect(), 'm2:')];
    const until = Math.floor(Date.now() / 1000) + 300;
    await a.revoke('sid-1', until);
    expect(await b.isRevoked('sid-1', until - 1)).toBe(true);
    expect(await b.isRevoked('sid-1', until)).toBe(false);
    expect(await connection.ttl('m2:machine:revoked:sid-1')).toBeGreaterThan(0);
  });
});

describe('connecting', () => {
  test('a unix:// state URL reaches a Redis on its socket', async () => {
    const connection = await connectRedis(`unix://${redis.socketPath}`, DEFAULT_REDIS_OPTIONS, {}, silent);
    connections.push(connection);
    expect(await connection.ping()).toBe('PONG');
  });

  test('a Redis that cannot be reached at start is STORE_UNAVAILABLE naming the URL without its user, not a hang', async () => {
    const elsewhere = `unix://${redis.socketPath}.missing`;
    await expect(connectRedis(elsewhere, DEFAULT_REDIS_OPTIONS, {}, silent)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining(`${redis.socketPath}.missing`),
    });
  });

  test('the password comes from the environment variable password_env names', async () => {
    const guarded = await startRedis({ password: 'redis-test-password' });
    try {
      await expect(connectRedis(guarded.url, DEFAULT_REDIS_OPTIONS, {}, silent)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      const connection = await connectRedis(guarded.url, { ...DEFAULT_REDIS_OPTIONS, password_env: 'MY_REDIS_PASSWORD' }, { MY_REDIS_PASSWORD: 'redis-test-password' }, silent);
      expect(await connection.ping()).toBe('PONG');
      connection.disconnect();
    } finally {
      await guarded.close();
    }
  });
});

describe('Redis Sentinel', () => {
  /** A real `redis-server --sentinel` monitoring the test Redis; it listens on a unix socket (port 0), reached over a loopback relay because ioredis asks sentinels over TCP. */
  async function startSentinel(password: string): Promise<{ address: string; close(): Promise<void> }> {
    const dir = await mkdtemp(join(tmpdir(), 'redis-sentinel-'));
    const socketPath = join(dir, 'sentinel.sock');
    const master = new URL(redis.url);
    await writeFile(
      join(dir, 'sentinel.conf'),
      `port 0\nunixsocket ${socketPath}\nrequirepass ${password}\nsentinel monitor mymaster ${master.hostname} ${master.port} 1\n`,
      { mode: 0o600 },
    );
    const child = spawn('redis-server', [join(dir, 'sentinel.conf'), '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk) => {
        log += chunk;
        if (log.includes('+monitor master mymaster')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server --sentinel exited ${code}: ${log}`)));
    });
    const relay = createServer((client) => {
      const upstream = createConnection(socketPath);
      client.pipe(upstream).pipe(client);
      const forget = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', forget).on('close', forget);
      upstream.on('error', forget).on('close', forget);
    });
    relay.listen(0, '127.0.0.1');
    await once(relay, 'listening');
    return {
      address: `127.0.0.1:${(relay.address() as AddressInfo).port}`,
      close: async () => {
        relay.close();
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
        await rm(dir, { recursive: true, force: true });
      },
    };
  }

  test('with sentinels and sentinel_master, ioredis asks the sentinels (with sentinel_password_env) for the master and uses it; refused sentinels are STORE_UNAVAILABLE, not a hang', async () => {
    const sentinel = await startSentinel('sentinel-test-password');
    try {
      const options = { ...DEFAULT_REDIS_OPTIONS, sentinels: [sentinel.address], sentinel_master: 'mymaster', sentinel_password_env: 'MY_SENTINEL_PASSWORD' };
      await expect(connectRedis('redis://mymaster', options, {}, silent)).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
        message: expect.stringContaining(`master "mymaster" of the sentinels ${sentinel.address}`),
      });
      const connection = await connectRedis('redis://mymaster', options, { MY_SENTINEL_PASSWORD: 'sentinel-test-password' }, silent);
      try {
        await connection.set('sentinel:probe', 'through-the-master');
        const direct = await connect();
        expect(await direct.get('sentinel:probe')).toBe('through-the-master');
      } finally {
        connection.disconnect();
      }
    } finally {
      await sentinel.close();
    }
  });
});

describe('rediss:// (TLS)', () => {
  test('trusts the CA of tls_ca_file, refuses a server it cannot verify, and presents tls_cert_file/tls_key_file when the server asks', async () => {
    const ca = await createTestCA();
    const dir = await mkdtemp(join(tmpdir(), 'redis-tls-'));
    const file = async (name: string, pem: string) => {
      await writeFile(join(dir, name), pem, { mode: 0o600 });
      return join(dir, name);
    };
    const tls = { tls_ca_file: await file('ca.pem', ca.ca), tls_cert_file: await file('client.pem', ca.clientCert), tls_key_file: await file('client-key.pem', ca.clientKey) };
    const secured = await startRedis({ tls: { cert: ca.cert, key: ca.key, ca: ca.ca, requestCert: true } });
    try {
      expect(secured.url).toMatch(/^rediss:\/\/127\.0\.0\.1:\d+$/);
      const connection = await connectRedis(secured.url, { ...DEFAULT_REDIS_OPTIONS, ...tls }, {}, silent);
      expect(await connection.ping()).toBe('PONG');
      connection.disconnect();
      await expect(connectRedis(secured.url, DEFAULT_REDIS_OPTIONS, {}, silent)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await expect(connectRedis(secured.url, { ...DEFAULT_REDIS_OPTIONS, tls_ca_file: tls.tls_ca_file }, {}, silent)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    } finally {
      await secured.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a TLS file that cannot be read is CONFIG_INVALID naming the key and the file', async () => {
    await expect(connectRedis('rediss://127.0.0.1:1', { ...DEFAULT_REDIS_OPTIONS, tls_ca_file: '/nonexistent/ca.pem' }, {}, silent)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'redis.tls_ca_file: cannot read /nonexistent/ca.pem: ENOENT',
    });
  });
});

describe('Redis unreachable', () => {
  test('a request that needs Redis fails at once with a 503 StateUnavailable (no queue, no hang), and works again once Redis is back', async () => {
    const connection = await connect();
    const Adapter = new RedisStateStore(connection, 'outage:').adapterClass();
    const adapter = new Adapter('Session');
    await adapter.upsert('s1', { accountId: 'demo' }, 60);

    await redis.stop();
    await expect(adapter.find('s1')).rejects.toMatchObject({ statusCode: 503, error: 'temporarily_unavailable' });
    await expect(new RedisLockoutStore(connection, 'outage:', 1000).attempt('account:z', 0, POLICY)).rejects.toMatchObject({ statusCode: 503 });

    await redis.restart();
    await once(connection, 'ready');
    // A fresh, empty Redis (no persistence in tests): the store works again.
    await adapter.upsert('s2', { accountId: 'demo' }, 60);
    expect(await adapter.find('s2')).toMatchObject({ accountId: 'demo' });
  });
});
