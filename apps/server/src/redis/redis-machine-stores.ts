import type { Redis } from 'ioredis';
import type { ClientSecretRecord, ClientSecretStore } from '../machine/client-secrets.js';
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

type Scripted = Redis & {
  machineConsumeUse(key: string, limit: number, expiresAt: number): Promise<number>;
  machineRevoke(key: string, until: number): Promise<number>;
};

function scripted(redis: Redis): Scripted {
  redis.defineCommand('machineConsumeUse', { lua: CONSUME_USE, numberOfKeys: 1 });
  redis.defineCommand('machineRevoke', { lua: REVOKE, numberOfKeys: 1 });
  return redis as Scripted;
}

/**
 * Universal-auth secrets as the data dir lists them (`auth-server identities`
 * writes that file), with their use counts in Redis: a secret limited to N
 * logins admits N over all instances together.
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

  candidates(identity: string, presented: string): Promise<ClientSecretRecord[]> {
    return this.secrets.candidates(identity, presented);
  }

  async consumeUse(record: ClientSecretRecord): Promise<boolean> {
    const expiresAt = record.ttl === undefined ? 0 : record.created_at + record.ttl;
    const counted = await orUnavailable(() => this.#redis.machineConsumeUse(`${this.prefix}machine:secret-uses:${record.id}`, record.uses_limit ?? 0, expiresAt), unavailable);
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
