import type { Adapter, AdapterPayload } from 'oidc-provider';
import { readPrivateFile, writePrivateFile } from '../fs/private-files.js';
import { StateUnavailable } from './state-unavailable.js';

/**
 * oidc-provider's stateful data kept in memory and written behind to one
 * 0600 JSON file in the data dir, so a restart keeps people signed in and
 * refresh tokens working. One process per data dir; several instances will
 * share Redis.
 *
 * Only what must survive a restart is written: signed-in sessions, grants,
 * codes, refresh tokens and device codes. What anyone can create without
 * signing in (interactions, pushed authorization requests, sessions with no
 * login) lives in memory only, in capped pools that drop their oldest entry
 * when full, so a flood of `/auth` requests costs bounded memory and never
 * pushes out a signed-in session. Pending device codes are written but
 * capped the same way.
 *
 * Writes are coalesced: one dirty flag and at most one write in flight; a
 * change during a write causes exactly one more write after it, so memory
 * holds at most one serialised copy. A failed write is logged once, retried,
 * and until one succeeds every change to written state is refused with
 * `StateUnavailable` (503), while reads and in-memory state keep working.
 */

interface StoredRecord {
  payload: AdapterPayload;
  /** Epoch milliseconds; null when the record never expires. */
  expiresAt: number | null;
  /** Written to the state file (survives a restart). */
  durable: boolean;
  /** The capped pools this record counts against. */
  pools: string[];
}

interface StateFile {
  version: 1;
  records: Record<string, Omit<StoredRecord, 'durable' | 'pools'>>;
}

export interface PoolLimit {
  total: number;
  perClient: number;
}

export interface StateLimits {
  /** Pending sign-ins (`Interaction`) and pushed authorization requests, each. */
  interactions: PoolLimit;
  /** Device codes nobody has approved or denied yet. */
  pendingDeviceCodes: PoolLimit;
  /** Sessions with no login (e.g. the device page's form token). */
  anonymousSessions: number;
  /**
   * Records of client-credentials access tokens (kept so introspection and
   * revocation find them). A client that asks for more only pushes out its
   * own oldest, which then introspect as inactive.
   */
  machineTokens: PoolLimit;
}

export const DEFAULT_STATE_LIMITS: StateLimits = {
  interactions: { total: 10_000, perClient: 5_000 },
  pendingDeviceCodes: { total: 2_000, perClient: 1_000 },
  anonymousSessions: 10_000,
  machineTokens: { total: 100_000, perClient: 20_000 },
};

/** Where a failed write or its recovery is reported (a pino logger fits). */
export interface StateLog {
  error(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

export interface FileStateStoreOptions {
  /** Delay before a change is written, so a burst of changes is one write (default 50 ms). */
  flushDelayMs?: number;
  /** Delay between attempts while writes fail (default 1 s). */
  retryDelayMs?: number;
  /** How often expired records are dropped from memory (default 60 s). */
  sweepIntervalMs?: number;
  limits?: Partial<StateLimits>;
  log?: StateLog;
  now?: () => number;
  /** Replaces the file atomically; injected by tests. */
  writeFile?: (file: string, content: string) => Promise<void>;
}

const MEMORY_ONLY_MODELS = new Set(['Interaction', 'PushedAuthorizationRequest']);
/**
 * Machines ask for tokens at machine rates; writing each one's record would
 * make every state write grow with the issuance rate. They stay in memory
 * (after a restart such a token still verifies offline, but no longer
 * introspects as active: the client asks for a new one).
 */
const MACHINE_TOKEN_MODEL = 'ClientCredentials';
const INDEXED_FIELDS = ['uid', 'userCode'] as const;

const clientIdOf = (payload: AdapterPayload): string | undefined => {
  const fromParams = (payload.params as { client_id?: unknown } | undefined)?.client_id;
  const id = payload.clientId ?? fromParams;
  return typeof id === 'string' ? id : undefined;
};

export class FileStateStore {
  private readonly records = new Map<string, StoredRecord>();
  /** Pool name → its record keys, oldest first (a Set keeps insertion order). */
  private readonly pools = new Map<string, Set<string>>();
  /** `<model>:<field>:<value>` → record key, for findByUid and findByUserCode. */
  private readonly index = new Map<string, string>();
  private readonly limits: StateLimits;
  private readonly flushDelayMs: number;
  private readonly retryDelayMs: number;
  private readonly now: () => number;
  private readonly log: StateLog | undefined;
  private readonly writeFile: (file: string, content: string) => Promise<void>;
  private readonly sweepTimer: NodeJS.Timeout;

  private dirty = false;
  private writeTimer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  /** The error of the last write, while writes fail. */
  private failure: NodeJS.ErrnoException | undefined;

  private constructor(
    readonly file: string,
    options: FileStateStoreOptions,
  ) {
    this.limits = { ...DEFAULT_STATE_LIMITS, ...options.limits };
    this.flushDelayMs = options.flushDelayMs ?? 50;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.log = options.log;
    this.writeFile = options.writeFile ?? writePrivateFile;
    this.sweepTimer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000).unref();
  }

  static async open(file: string, options: FileStateStoreOptions = {}): Promise<FileStateStore> {
    const store = new FileStateStore(file, options);
    const text = await readPrivateFile(file);
    if (text === undefined) return store;
    let parsed: StateFile;
    try {
      parsed = JSON.parse(text) as StateFile;
    } catch {
      // The file is only ever replaced atomically; an unreadable one was edited by hand. Start empty.
      return store;
    }
    for (const [key, { payload, expiresAt }] of Object.entries(parsed.records ?? {})) {
      const model = key.slice(0, key.indexOf(':'));
      // Earlier versions also wrote interactions and anonymous sessions; they are not kept.
      if (store.isDurable(model, payload)) store.put(model, key, payload, expiresAt);
    }
    return store;
  }

  /** The class oidc-provider instantiates once per model (`new Adapter('Session')`). */
  adapterClass(): new (model: string) => Adapter {
    const store = this;
    return class FileStateAdapter implements Adapter {
      constructor(private readonly model: string) {}

      private key(id: string) {
        return `${this.model}:${id}`;
      }

      async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
        store.upsert(this.model, this.key(id), payload, expiresIn ? store.now() + expiresIn * 1000 : null);
      }

      async find(id: string): Promise<AdapterPayload | undefined> {
        return store.live(this.key(id))?.payload;
      }

      async findByUid(uid: string): Promise<AdapterPayload | undefined> {
        return store.findIndexed(this.model, 'uid', uid);
      }

      async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
        return store.findIndexed(this.model, 'userCode', userCode);
      }

      async consume(id: string): Promise<void> {
        const record = store.live(this.key(id));
        if (record) store.upsert(this.model, this.key(id), { ...record.payload, consumed: Math.floor(store.now() / 1000) }, record.expiresAt);
      }

      async destroy(id: string): Promise<void> {
        store.remove(this.key(id));
      }

      async revokeByGrantId(grantId: string): Promise<void> {
        const prefix = `${this.model}:`;
        const matching = [...store.records].filter(([key, record]) => key.startsWith(prefix) && record.payload.grantId === grantId);
        if (matching.some(([, record]) => record.durable)) store.assertWritable();
        for (const [key] of matching) store.remove(key);
      }
    };
  }

  /** Records of a model held in memory (written or not, expired but not yet swept); for tests and diagnostics. */
  count(model: string): number {
    let count = 0;
    for (const key of this.records.keys()) if (key.startsWith(`${model}:`)) count++;
    return count;
  }

  /** Writes the pending changes now; resolves once they are on disk, rejects if the write fails. */
  async flush(): Promise<void> {
    clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
    while (this.inFlight) await this.inFlight;
    clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
    if (this.dirty || this.failure) await this.write();
    if (this.failure) throw this.failure;
  }

  /** Flushes, then stops the timers. */
  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    try {
      await this.flush();
    } finally {
      clearTimeout(this.writeTimer);
      this.writeTimer = undefined;
    }
  }

  private isDurable(model: string, payload: AdapterPayload): boolean {
    if (MEMORY_ONLY_MODELS.has(model) || model === MACHINE_TOKEN_MODEL) return false;
    if (model === 'Session') return typeof payload.accountId === 'string';
    return true;
  }

  /** The pools a record counts against, each with its limit. */
  private poolsOf(model: string, payload: AdapterPayload): Array<[string, number]> {
    const client = clientIdOf(payload) ?? '';
    const perClient = (name: string, limit: PoolLimit): Array<[string, number]> => [
      [name, limit.total],
      [`${name}\0${client}`, limit.perClient],
    ];
    if (MEMORY_ONLY_MODELS.has(model)) return perClient(model, this.limits.interactions);
    if (model === MACHINE_TOKEN_MODEL) return perClient(model, this.limits.machineTokens);
    if (model === 'Session' && typeof payload.accountId !== 'string') return [['Session', this.limits.anonymousSessions]];
    if (model === 'DeviceCode' && !payload.accountId && !payload.error) return perClient('DeviceCode', this.limits.pendingDeviceCodes);
    return [];
  }

  private assertWritable(): void {
    if (this.failure) throw new StateUnavailable();
  }

  private upsert(model: string, key: string, payload: AdapterPayload, expiresAt: number | null): void {
    const durable = this.isDurable(model, payload) || this.records.get(key)?.durable === true;
    if (durable) this.assertWritable();
    this.remove(key);
    this.put(model, key, payload, expiresAt);
  }

  private put(model: string, key: string, payload: AdapterPayload, expiresAt: number | null): void {
    const pools = this.poolsOf(model, payload);
    const record: StoredRecord = { payload, expiresAt, durable: this.isDurable(model, payload), pools: pools.map(([name]) => name) };
    this.records.set(key, record);
    for (const field of INDEXED_FIELDS) {
      if (typeof payload[field] === 'string') this.index.set(`${model}:${field}:${payload[field]}`, key);
    }
    for (const [name, limit] of pools) {
      const pool = this.pools.get(name) ?? new Set<string>();
      this.pools.set(name, pool);
      pool.add(key);
      // The oldest entries give way; an evicted one is gone from memory and the file alike.
      for (const oldest of pool) {
        if (pool.size <= limit) break;
        this.remove(oldest);
      }
    }
    if (record.durable) this.markDirty();
  }

  private remove(key: string): void {
    const record = this.records.get(key);
    if (!record) return;
    this.records.delete(key);
    const model = key.slice(0, key.indexOf(':'));
    for (const field of INDEXED_FIELDS) {
      const indexKey = `${model}:${field}:${record.payload[field]}`;
      if (this.index.get(indexKey) === key) this.index.delete(indexKey);
    }
    for (const name of record.pools) {
      const pool = this.pools.get(name);
      pool?.delete(key);
      if (pool?.size === 0) this.pools.delete(name);
    }
    if (record.durable) this.markDirty();
  }

  private live(key: string): StoredRecord | undefined {
    const record = this.records.get(key);
    if (record && record.expiresAt !== null && record.expiresAt <= this.now()) {
      this.remove(key);
      return undefined;
    }
    return record;
  }

  private findIndexed(model: string, field: (typeof INDEXED_FIELDS)[number], value: string): AdapterPayload | undefined {
    const key = this.index.get(`${model}:${field}:${value}`);
    return key === undefined ? undefined : this.live(key)?.payload;
  }

  private sweep(): void {
    for (const key of this.records.keys()) this.live(key);
  }

  private markDirty(): void {
    this.dirty = true;
    this.scheduleWrite(this.flushDelayMs);
  }

  private scheduleWrite(delayMs: number): void {
    if (this.writeTimer || this.inFlight) return;
    this.writeTimer = setTimeout(() => {
      this.writeTimer = undefined;
      void this.write();
    }, delayMs).unref();
  }

  /** One write of the current durable records; never rejects (a failure is kept in `failure`). */
  private write(): Promise<void> {
    this.dirty = false;
    const content = this.serialise();
    this.inFlight = this.writeFile(this.file, content)
      .then(
        () => {
          if (this.failure) this.log?.info({ event: 'state.write_recovered', file: this.file }, 'issuer state written again');
          this.failure = undefined;
        },
        (error: NodeJS.ErrnoException) => {
          this.dirty = true;
          // Logged once per outage, with the path and the OS error; never a stack trace.
          if (!this.failure) {
            this.log?.error(
              { event: 'state.write_failed', file: this.file, code: error.code, reason: error.message },
              `cannot write issuer state to ${this.file}; retrying, and refusing changes until it works`,
            );
          }
          this.failure = error;
        },
      )
      .finally(() => {
        this.inFlight = undefined;
        if (this.dirty) this.scheduleWrite(this.failure ? this.retryDelayMs : this.flushDelayMs);
      });
    return this.inFlight;
  }

  private serialise(): string {
    const now = this.now();
    const records: StateFile['records'] = {};
    for (const [key, { payload, expiresAt, durable }] of this.records) {
      if (durable && (expiresAt === null || expiresAt > now)) records[key] = { payload, expiresAt };
    }
    return `${JSON.stringify({ version: 1, records } satisfies StateFile)}\n`;
  }
}
