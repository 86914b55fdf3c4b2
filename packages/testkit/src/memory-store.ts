import type { Adapter, AdapterPayload } from 'oidc-provider';

// Artifacts stay findable for a while after they expire: oidc-provider checks
// expiry itself, and only a stored-but-expired device code gives a poller the
// RFC 8628 `expired_token` answer (a dropped one would be `invalid_grant`).
const KEPT_AFTER_EXPIRY_MS = 10 * 60_000;

interface Entry {
  readonly model: string;
  readonly payload: AdapterPayload;
  readonly dropAt: number;
}

/** The storage behind one test IdP: every model's artifacts, keyed `<model>:<id>`. */
export class MemoryStore {
  readonly #entries = new Map<string, Entry>();

  /** An oidc-provider `adapter` factory bound to this store. */
  readonly adapterFor = (model: string): Adapter => {
    const key = (id: string): string => `${model}:${id}`;
    return {
      upsert: async (id, payload, expiresIn) => {
        const dropAt = expiresIn === undefined ? Infinity : Date.now() + expiresIn * 1000 + KEPT_AFTER_EXPIRY_MS;
        this.#entries.set(key(id), { model, payload, dropAt });
      },
      find: async (id) => this.#get(key(id)),
      findByUserCode: async (userCode) => this.#findWhere(model, (payload) => payload.userCode === userCode),
      findByUid: async (uid) => this.#findWhere(model, (payload) => payload.uid === uid),
      consume: async (id) => {
        const payload = this.#get(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => {
        this.#entries.delete(key(id));
      },
      revokeByGrantId: async (grantId) => {
        this.#deleteWhere((entry) => entry.model === model && entry.payload.grantId === grantId);
      },
    };
  };

  /** Forgets every grant and every artifact issued under one (tokens, codes). */
  revokeAllGrants(): void {
    this.#deleteWhere((entry) => entry.model === 'Grant' || entry.payload.grantId !== undefined);
  }

  #get(key: string): AdapterPayload | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.dropAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry?.payload;
  }

  #findWhere(model: string, match: (payload: AdapterPayload) => boolean): AdapterPayload | undefined {
    for (const [key, entry] of this.#entries) {
      if (entry.model === model && match(entry.payload)) return this.#get(key);
    }
    return undefined;
  }

  #deleteWhere(match: (entry: Entry) => boolean): void {
    for (const [key, entry] of this.#entries) {
      if (match(entry)) this.#entries.delete(key);
    }
  }
}
