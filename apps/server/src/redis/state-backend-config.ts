import { z } from 'zod';
import { parseListenAddress } from '../config/listen-address.js';

/**
 * Where the issuer keeps the state several instances must share. Absent:
 * the data folder (one process). `redis://`, `rediss://` (TLS) or
 * `unix:///path/redis.sock` (a Redis on the same machine): one Redis for
 * every instance of a deployment, each key under `key_prefix`.
 *
 * The password is never in the URL or the config file: it is read from the
 * environment variable `password_env` names, when that is set.
 */
export const stateUrl = z
  .string()
  .refine((value) => URL.canParse(value) && ['redis:', 'rediss:', 'unix:'].includes(new URL(value).protocol), {
    error: 'must be a redis://, rediss:// or unix:// URL, e.g. redis://127.0.0.1:6379',
  })
  .refine((value) => !URL.canParse(value) || new URL(value).password === '', {
    error: 'must not carry a password: set it in the environment variable named by redis.password_env (default AUTH_SERVER_REDIS_PASSWORD)',
  });

const milliseconds = z.number().int({ error: 'must be a whole number of milliseconds' }).positive({ error: 'must be positive' });

const environmentVariable = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name' });

export const redisOptionsSchema = z
  .strictObject({
    /** Every key of this deployment starts with it. */
    key_prefix: z.string().min(1, { error: 'must not be empty' }).default('auth-server:'),
    /** Redis 6 ACL user (also accepted in the URL). */
    username: z.string().min(1).optional(),
    /** The environment variable holding the password (AUTH). */
    password_env: environmentVariable.default('AUTH_SERVER_REDIS_PASSWORD'),
    /** For rediss://: a PEM CA bundle to trust (default: the system's), and a client certificate and key for mutual TLS. */
    tls_ca_file: z.string().min(1).optional(),
    tls_cert_file: z.string().min(1).optional(),
    tls_key_file: z.string().min(1).optional(),
    /** How long one command may take before the request that needs it gets 503. */
    command_timeout_ms: milliseconds.default(1000),
    /** How long one connection attempt may take. */
    connect_timeout_ms: milliseconds.default(2000),
    /**
     * Redis Sentinel (https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/):
     * the sentinels to ask, and the name of the master they elect. The state
     * URL then gives only the scheme (rediss: TLS to the master), user and
     * database; its host is not contacted.
     */
    sentinels: z
      .array(z.string().refine((value) => parseListenAddress(value) !== undefined, { error: 'must be HOST:PORT, e.g. 10.0.0.1:26379' }))
      .min(1, { error: 'must list at least one sentinel' })
      .optional(),
    sentinel_master: z.string().min(1, { error: 'must not be empty' }).optional(),
    /** The environment variable holding the sentinels' own password, when they require one. */
    sentinel_password_env: environmentVariable.default('AUTH_SERVER_REDIS_SENTINEL_PASSWORD'),
  })
  .superRefine((options, ctx) => {
    if (options.sentinels !== undefined && options.sentinel_master === undefined) {
      ctx.addIssue({ code: 'custom', path: ['sentinel_master'], message: 'is required with redis.sentinels: the master name the sentinels monitor, e.g. "mymaster"' });
    }
    if (options.sentinel_master !== undefined && options.sentinels === undefined) {
      ctx.addIssue({ code: 'custom', path: ['sentinels'], message: 'is required with redis.sentinel_master: the HOST:PORT of each sentinel' });
    }
  });

export type RedisOptions = z.output<typeof redisOptionsSchema>;
export const DEFAULT_REDIS_OPTIONS: RedisOptions = redisOptionsSchema.parse({});
