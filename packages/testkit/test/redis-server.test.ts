import { spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestCA, startRedis, type RedisServer } from '../src/index.js';

/** One inline command over RESP (the protocol allows them for tools like telnet); the first reply line, or the error. */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.on('connect', () => socket.write(`${line}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) {
        socket.end();
        resolve(reply.split('\r\n')[0]!);
      }
    });
    socket.on('error', (error) => resolve(`error: ${error.message}`));
    socket.on('close', () => resolve(reply === '' ? 'closed' : reply.split('\r\n')[0]!));
  });
}

const pidsOf = (dir: string) => spawnSync('pgrep', ['-f', dir], { encoding: 'utf8' }).stdout.trim();

describe('startRedis', () => {
  let redis: RedisServer | undefined;
  afterEach(async () => {
    await redis?.close();
    redis = undefined;
  });

  it('serves a real redis-server on the loopback port the kernel picked', async () => {
    redis = await startRedis();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await command(redis.port, 'PING')).toBe('+PONG');
    expect(await command(redis.port, 'SET testkit:key value')).toBe('+OK');
    expect(await command(redis.port, 'INFO server')).toMatch(/^\$\d+/);
  });

  it('refuses connections while stopped and serves an empty Redis on the same port after restart', async () => {
    redis = await startRedis();
    await command(redis.port, 'SET testkit:key value');
    await redis.stop();
    expect(await command(redis.port, 'PING')).toBe('closed');
    await redis.restart();
    expect(await command(redis.port, 'PING')).toBe('+PONG');
    expect(await command(redis.port, 'EXISTS testkit:key')).toBe(':0');
  });

  it('asks for the password when one is set', async () => {
    redis = await startRedis({ password: 'testkit-redis-password' });
    expect(await command(redis.port, 'PING')).toMatch(/^-NOAUTH/);
    expect(await command(redis.port, 'AUTH testkit-redis-password')).toBe('+OK');
  });

  it('with tls, serves rediss:// on the port: a client trusting the CA gets PONG', async () => {
    const ca = await createTestCA();
    redis = await startRedis({ tls: { cert: ca.cert, key: ca.key } });
    expect(redis.url).toBe(`rediss://127.0.0.1:${redis.port}`);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connectTls({ host: '127.0.0.1', port: redis!.port, ca: ca.ca }, () => socket.write('PING\r\n'));
      socket.once('data', (chunk) => {
        socket.end();
        resolve(chunk.toString().split('\r\n')[0]!);
      });
      socket.on('error', reject);
    });
    expect(reply).toBe('+PONG');
  });

  it('leaves no redis-server process behind after close', async () => {
    redis = await startRedis();
    const dir = redis.socketPath.slice(0, redis.socketPath.lastIndexOf('/'));
    expect(pidsOf(dir)).not.toBe('');
    await redis.close();
    redis = undefined;
    expect(pidsOf(dir)).toBe('');
  });
});
