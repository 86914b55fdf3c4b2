import type { Redis } from 'ioredis';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { StateUnavailable } from '../issuer/state-unavailable.js';
import { orUnavailable } from './redis-connection.js';

/**
 * oidc-provider's stateful data (sessions, interactions, grants, codes,
 * refresh tokens, device codes) in Redis, shared by every instance.
 *
 * A record is a hash: `p` the payload, `g` its grant, `c` when it was
 * consumed. Every record expires with Redis's own TTL (oidc-provider gives
 * one for each); lookups by `uid` and `userCode` go through index keys
 * with the same TTL; a grant's records are listed in a set, so revoking a
 * grant deletes them all, in one script.
 *
 * Consuming is a compare-and-set (`HSETNX`): of two instances redeeming
 * the same code or refresh token at once, exactly one wins; the other
 * finds it used and, as a replay would, revokes the whole grant
 * (RFC 9700 §4.14.2) and gets `invalid_grant`.
 */

const UPSERT = `
local ttl = tonumber(ARGV[2])
redis.call('DEL', KEYS[1])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'p', ARGV[1], 'g', ARGV[3])
else
  redis.call('HSET', KEYS[1], 'p', ARGV[1])
end
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
for i = 3, #KEYS do
  if ttl > 0 then redis.call('SET', KEYS[i], ARGV[4], 'PX', ttl) else redis.call('SET', KEYS[i], ARGV[4]) end
end
if ARGV[3] ~= '' then
  local existed = redis.call('EXISTS', KEYS[2])
  local left = redis.call('PTTL', KEYS[2])
  redis.call('SADD', KEYS[2], KEYS[1])
  if ttl == 0 then
    redis.call('PERSIST', KEYS[2])
  elseif existed == 0 or (left >= 0 and left < ttl) then
    redis.call('PEXPIRE', KEYS[2], ttl)
  end
end
return 1
`;

/** 1: consumed now; 0: no such record (any more); -1: consumed before (the grant is revoked). */
const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HSETNX', KEYS[1], 'c', ARGV[1]) == 1 then return 1 end
local grant = redis.call('HGET', KEYS[1], 'g')
if grant then
  local set = ARGV[2] .. grant
  for _, key in ipairs(redis.call('SMEMBERS', set)) do redis.call('DEL', key) end
  redis.call('DEL', set)
end
return -1
`;

const REVOKE_GRANT = `
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', key) end
redis.call('DEL', KEYS[1])
return 1
`;

const INDEXED_FIELDS = ['uid', 'userCode'] as const;

type Scripted = Redis & {
  oidcUpsert(...args: Array<string | number>): Promise<number>;
  oidcConsume(...args: Array<string | number>): Promise<number>;
  oidcRevokeGrant(key: string): Promise<number>;
};

export class RedisStateStore {
  readonly #redis: Scripted;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {
    redis.defineCommand('oidcUpsert', { lua: UPSERT });
    redis.defineCommand('oidcConsume', { lua: CONSUME, numberOfKeys: 1 });
    redis.defineCommand('oidcRevokeGrant', { lua: REVOKE_GRANT, numberOfKeys: 1 });
    this.#redis = redis as Scripted;
  }

  /** The class oidc-provider instantiates once per model (`new Adapter('Session')`). */
  adapterClass(): new (model: string) => Adapter {
    const store = this;
    const redis = this.#redis;
    const grantKey = (grantId: string) => `${store.prefix}issuer:grant:${grantId}`;
    const guarded = <T>(call: () => Promise<T>) => orUnavailable(call, () => new StateUnavailable());

    return class RedisStateAdapter implements Adapter {
      constructor(private readonly model: string) {}

      private key(id: string) {
        return `${store.prefix}issuer:${this.model}:${id}`;
      }

      private indexKey(field: string, value: string) {
        return `${store.prefix}issuer:${this.model}:${field}:${value}`;
      }

      async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
        const grantId = typeof payload.grantId === 'string' ? payload.grantId : '';
        const indexKeys = INDEXED_FIELDS.filter((field) => typeof payload[field] === 'string').map((field) => this.indexKey(field, payload[field] as string));
        const keys = [this.key(id), grantKey(grantId), ...indexKeys];
        await guarded(() => redis.oidcUpsert(keys.length, ...keys, JSON.stringify(payload), expiresIn ? expiresIn * 1000 : 0, grantId, id));
      }

      async find(id: string): Promise<AdapterPayload | undefined> {
        const record = await guarded(() => redis.hgetall(this.key(id)));
        if (record.p === undefined) return undefined;
        const payload = JSON.parse(record.p) as AdapterPayload;
        return record.c === undefined ? payload : { ...payload, consumed: Number(record.c) };
      }

      async findByUid(uid: string): Promise<AdapterPayload | undefined> {
        return this.findIndexed('uid', uid);
      }

      async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
        return this.findIndexed('userCode', userCode);
      }

      async consume(id: string): Promise<void> {
        const outcome = await guarded(() => redis.oidcConsume(this.key(id), Math.floor(store.now() / 1000), `${store.prefix}issuer:grant:`));
        // Gone (a concurrent replay revoked its grant) or used meanwhile: either way, not this request's to redeem.
        if (outcome !== 1) throw new errors.InvalidGrant('grant request is invalid (used by a concurrent request)');
      }

      async destroy(id: string): Promise<void> {
        await guarded(() => redis.del(this.key(id)));
      }

      async revokeByGrantId(grantId: string): Promise<void> {
        await guarded(() => redis.oidcRevokeGrant(grantKey(grantId)));
      }

      private async findIndexed(field: string, value: string): Promise<AdapterPayload | undefined> {
        const id = await guarded(() => redis.get(this.indexKey(field, value)));
        return id === null ? undefined : this.find(id);
      }
    };
  }
}
