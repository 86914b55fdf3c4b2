import type { Redis } from 'ioredis';
import { prefixOf, secretRecordSchema, type ClientSecretRecord, type ClientSecretStore } from '../machine/client-secrets.js';
import { LoginApiError } from '../machine/login-api-error.js';
import type { TokenRevocationStore } from '../machine/token-revocations.js';
import { orUnavailable } from './redis-connection.js';

const unavailable = () => new LoginApiError(503, 'The server cannot reach its state store right now; try again in a moment');

/** Counts one use unless the limit (0: none) is reached; the count lives as long as the secret. */
const CONSUME_USE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit = tonumber(ARGV[1])
if limit > 0 and used >= limit then return 0 end
redis.call('INCR', KEYS[1])
if tonumber(ARGV[2]) > 0 then redis.call('EXPIREAT', KEYS[1], ARGV[2]) end
return 1
`;

/** Keeps the later of two revocations of one session. */
const REVOKE = `
local expires = tonumber(ARGV[1])
if expires > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], ARGV[1], 'EXAT', expires) end
return 1
`;

/** Marks one secret record revoked (once), in place; 0 when the identity has no such secret. */
const REVOKE_SECRET = `
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return 0 end
local record = cjson.decode(stored)
if record.revoked_at == nil then
  record.revoked_at = tonumber(ARGV[2])
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(record))
end
return 1
`;

type Scripted = Redis & {
  machineConsumeUse(key: string, limit: number, expiresAt: number): Promise<number>;
  machineRevoke(key: string, until: number): Promise<number>;
  machineRevokeSecret(key: string, id: string, now: number): Promise<number>;
};

function scripted(redis: Redis): Scripted {
  redis.defineCommand('machineConsumeUse', { lua: CONSUME_USE, numberOfKeys: 1 });
  redis.defineCommand('machineRevoke', { lua: REVOKE, numberOfKeys: 1 });
  redis.defineCommand('machineRevokeSecret', { lua: REVOKE_SECRET, numberOfKeys: 1 });
  return redis as Scripted;
}

/**
 * The universal-auth secret records every instance shares: one hash per
 * identity, a field per secret id holding its record (hash and prefix, never
 * the secret). A field is written on its own, so commands run at once never
 * drop each other's secret.
 */
const secretsKey = (prefix: string, identity: string) => `${prefix}machine:secrets:${identity}`;
const usesKey = (prefix: string, id: string) => `${prefix}machine:secret-uses:${id}`;

export async function addSharedClientSecret(redis: Redis, prefix: string, record: ClientSecretRecord): Promise<void> {
  await redis.hset(secretsKey(prefix, record.identity), record.id, JSON.stringify(record));
}

/** Revokes one shared secret; false when `identity` has no secret `id` in Redis. */
export async function revokeSharedClientSecret(redis: Redis, prefix: string, identity: string, id: string, now = Math.floor(Date.now() / 1000)): Promise<boolean> {
  return (await scripted(redis).machineRevokeSecret(secretsKey(prefix, identity), id, now)) === 1;
}

/** Logins counted against each of `ids`, over every instance. */
export async function readSharedSecretUses(redis: Redis, prefix: string, ids: string[]): Promise<Record<string, number>> {
  if (ids.length === 0) return {};
  const counts = await redis.mget(ids.map((id) => usesKey(prefix, id)));
  return Object.fromEntries(ids.map((id, i) => [id, Number(counts[i] ?? 0)]));
}

export async function readSharedClientSecrets(redis: Redis, prefix: string, identity: string): Promise<ClientSecretRecord[]> {
  // A record that does not parse (written by hand, or by a newer version) is left out, never trusted.
  return (await redis.hvals(secretsKey(prefix, identity))).flatMap((stored) => {
    try {
      const parsed = secretRecordSchema.safeParse(JSON.parse(stored));
      return parsed.success && parsed.data.identity === identity ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Universal-auth secrets shared in Redis (`auth-server identities … ` with a
 * config whose `state` is Redis writes them there) besides those the data dir
 * lists, with their use counts in Redis: a secret limited to N logins admits
 * N over all instances together.
 */
export class RedisClientSecretStore implements ClientSecretStore {
  readonly #redis: Scripted;

  constructor(
    private readonly secrets: Pick<ClientSecretStore, 'candidates'>,
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.#redis = scripted(redis);
  }

  async candidates(identity: string, presented: string): Promise<ClientSecretRecord[]> {
    const shared = await orUnavailable(() => readSharedClientSecrets(this.#redis, this.prefix, identity), unavailable);
    const prefix = prefixOf(presented);
    return [...shared.filter((record) => record.prefix === prefix && record.revoked_at === undefined), ...(await this.secrets.candidates(identity, presented))];
  }

  async consumeUse(record: ClientSecretRecord): Promise<boolean> {
    const expiresAt = record.ttl === undefined ? 0 : record.created_at + record.ttl;
    const counted = await orUnavailable(() => this.#redis.machineConsumeUse(usesKey(this.prefix, record.id), record.uses_limit ?? 0, expiresAt), unavailable);
    return counted === 1;
  }
}

/** Revoked machine logins, each kept until its last token could expire. */
export class RedisTokenRevocationStore implements TokenRevocationStore {
  readonly #redis: Scripted;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.#redis = scripted(redis);
  }

  async revoke(sessionId: string, until: number): Promise<void> {
    await orUnavailable(() => this.#redis.machineRevoke(this.#key(sessionId), until), unavailable);
  }

  async isRevoked(sessionId: string, now: number): Promise<boolean> {
    const until = await orUnavailable(() => this.#redis.get(this.#key(sessionId)), unavailable);
    return until !== null && now < Number(until);
  }

  #key(sessionId: string): string {
    return `${this.prefix}machine:revoked:${sessionId}`;
  }
}
