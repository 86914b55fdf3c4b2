import type { Adapter, AdapterPayload } from 'oidc-provider';
import { readPrivateFile, writePrivateFile } from '../fs/private-files.js';

/**
 * oidc-provider's stateful data (sessions, interactions, grants, codes,
 * refresh tokens) kept in memory and written behind to one 0600 JSON file
 * in the data dir, so a restart keeps people signed in and refresh tokens
 * working. One process per data dir; several instances will share Redis.
 * Writes are coalesced (at most one per `flushDelayMs`), so a crash loses
 * at most that window; a clean shutdown flushes.
 */

interface StoredRecord {
  payload: AdapterPayload;
  /** Epoch milliseconds; null when the record never expires. */
  expiresAt: number | null;
}

interface StateFile {
  version: 1;
  records: Record<string, StoredRecord>;
}

export class FileStateStore {
  private flushTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly records: Map<string, StoredRecord>,
    private readonly flushDelayMs: number,
  ) {}

  static async open(file: string, { flushDelayMs = 50 } = {}): Promise<FileStateStore> {
    const text = await readPrivateFile(file);
    let records = new Map<string, StoredRecord>();
    if (text !== undefined) {
      try {
        const parsed = JSON.parse(text) as StateFile;
        records = new Map(Object.entries(parsed.records ?? {}));
      } catch {
        // The file is only ever replaced atomically; an unreadable one was edited by hand. Start empty.
        records = new Map();
      }
    }
    return new FileStateStore(file, records, flushDelayMs);
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
        store.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null });
      }

      async find(id: string): Promise<AdapterPayload | undefined> {
        return store.get(this.key(id));
      }

      async findByUid(uid: string): Promise<AdapterPayload | undefined> {
        return store.findWhere(this.model, (payload) => payload.uid === uid);
      }

      async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
        return store.findWhere(this.model, (payload) => payload.userCode === userCode);
      }

      async consume(id: string): Promise<void> {
        const payload = store.get(this.key(id));
        if (payload) store.touch(this.key(id), { ...payload, consumed: Math.floor(Date.now() / 1000) });
      }

      async destroy(id: string): Promise<void> {
        store.delete(this.key(id));
      }

      async revokeByGrantId(grantId: string): Promise<void> {
        store.deleteWhere(this.model, (payload) => payload.grantId === grantId);
      }
    };
  }

  private live(key: string): StoredRecord | undefined {
    const record = this.records.get(key);
    if (record && record.expiresAt !== null && record.expiresAt <= Date.now()) {
      this.records.delete(key);
      return undefined;
    }
    return record;
  }

  private get(key: string): AdapterPayload | undefined {
    return this.live(key)?.payload;
  }

  private set(key: string, record: StoredRecord): void {
    this.records.set(key, record);
    this.scheduleFlush();
  }

  private touch(key: string, payload: AdapterPayload): void {
    const record = this.live(key);
    if (record) this.set(key, { ...record, payload });
  }

  private delete(key: string): void {
    if (this.records.delete(key)) this.scheduleFlush();
  }

  private findWhere(model: string, match: (payload: AdapterPayload) => boolean): AdapterPayload | undefined {
    for (const key of this.records.keys()) {
      if (!key.startsWith(`${model}:`)) continue;
      const payload = this.get(key);
      if (payload && match(payload)) return payload;
    }
    return undefined;
  }

  private deleteWhere(model: string, match: (payload: AdapterPayload) => boolean): void {
    for (const [key, record] of this.records) {
      if (key.startsWith(`${model}:`) && match(record.payload)) this.delete(key);
    }
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, this.flushDelayMs);
  }

  /** Writes the live records now (after any write already in progress). */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const now = Date.now();
    const records = Object.fromEntries([...this.records].filter(([, r]) => r.expiresAt === null || r.expiresAt > now));
    const content = `${JSON.stringify({ version: 1, records } satisfies StateFile)}\n`;
    this.writing = this.writing.catch(() => undefined).then(() => writePrivateFile(this.file, content));
    return this.writing;
  }
}
