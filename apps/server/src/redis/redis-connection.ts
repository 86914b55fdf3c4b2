import { readFile } from 'node:fs/promises';
import { AuthError } from '@auth/core';
import { Redis, type RedisOptions as IORedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { parseListenAddress } from '../config/listen-address.js';
import type { RedisOptions } from './state-backend-config.js';

/** The URL as logs and errors may show it: no user name, no password. */
export function redactedUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

/**
 * One ioredis connection that never makes a request wait for Redis: no
 * offline queue (a command while disconnected fails at once), one retry,
 * a timeout on every command and connection attempt. The caller turns a
 * failure into a 503; ioredis keeps reconnecting in the background, so
 * requests succeed again as soon as Redis is back.
 */
export async function connectRedis(url: string, options: RedisOptions, env: Readonly<Record<string, string | undefined>>, logger: Logger): Promise<Redis> {
  const where = options.sentinels ? `master "${options.sentinel_master}" of the sentinels ${options.sentinels.join(', ')}` : redactedUrl(url);
  const password = env[options.password_env];
  const sentinelPassword = env[options.sentinel_password_env];
  const tls = new URL(url).protocol === 'rediss:' ? await tlsOptions(options) : undefined;
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.command_timeout_ms,
    connectTimeout: options.connect_timeout_ms,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    ...(options.username ? { username: options.username } : {}),
    ...(password ? { password } : {}),
    ...(tls ? { tls } : {}),
    ...(options.sentinels ? sentinelOptions(options.sentinels, options.sentinel_master!, sentinelPassword, tls !== undefined) : {}),
  } satisfies IORedisOptions);

  let down = false;
  redis.on('error', (error: NodeJS.ErrnoException) => {
    if (down) return;
    down = true;
    // Once per outage, without the URL's credentials.
    logger.error({ event: 'state.redis_unavailable', redis: where, code: error.code, reason: error.message }, `cannot reach Redis at ${where}; requests that need it get 503 until it is back`);
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info({ event: 'state.redis_recovered', redis: where }, 'Redis is reachable again');
  });

  try {
    await redis.connect();
  } catch (cause) {
    redis.disconnect();
    throw new AuthError('STORE_UNAVAILABLE', `cannot reach Redis at ${where} (state): ${(cause as Error).message}`, {
      cause,
      hint: `start Redis there, or fix \`state\` (--state); a password goes in ${options.password_env}`,
    });
  }
  return redis;
}

/** ioredis asks the sentinels for the master's address, and asks again after a failover. */
function sentinelOptions(sentinels: string[], master: string, password: string | undefined, tls: boolean): IORedisOptions {
  return {
    sentinels: sentinels.map((address) => parseListenAddress(address)!),
    name: master,
    // One pass over the sentinels per connection attempt: retryStrategy paces the next one, so a start or a request never waits on sentinels that do not answer.
    sentinelRetryStrategy: () => null,
    ...(password ? { sentinelPassword: password } : {}),
    ...(tls ? { enableTLSForSentinelMode: true } : {}),
  };
}

async function tlsOptions(options: RedisOptions): Promise<{ ca?: Buffer; cert?: Buffer; key?: Buffer }> {
  const read = async (key: 'tls_ca_file' | 'tls_cert_file' | 'tls_key_file') => {
    const file = options[key];
    if (file === undefined) return undefined;
    try {
      return await readFile(file);
    } catch (cause) {
      throw new AuthError('CONFIG_INVALID', `redis.${key}: cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { key: `redis.${key}`, file, cause });
    }
  };
  const [ca, cert, key] = await Promise.all([read('tls_ca_file'), read('tls_cert_file'), read('tls_key_file')]);
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

/** A script of ours that Redis refused to compile or run: a bug to report as one, not an outage. */
const SCRIPT_ERROR = /user_script|Error compiling script|Error running script/;

/** Runs a Redis call; a failure to reach or use Redis becomes `unavailable()` (the 503 of the caller's protocol). */
export async function orUnavailable<T>(call: () => Promise<T>, unavailable: () => Error): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (SCRIPT_ERROR.test((error as Error)?.message ?? '')) throw error;
    throw unavailable();
  }
}
