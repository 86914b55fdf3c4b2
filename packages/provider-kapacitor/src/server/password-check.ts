import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { UserDirectory } from '@auth/provider-influx-meta';
import bcrypt from 'bcryptjs';
import type { Counters } from './counters.js';
import { abortable, type CachedUser } from './user-cache.js';

/** Kapacitor's fast-path lifetime (`authCacheExpiration` in `services/auth/service.go`). */
export const FAST_PATH_TTL_MS = 60 * 60 * 1000;

const BCRYPT_HASH = /^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$/;

interface FastPathEntry {
  /**
   * The bcrypt hash the password was checked against. A different hash and
   * the entry no longer counts: Kapacitor keeps accepting an old password for
   * up to an hour after a change.
   */
  readonly basis: string;
  readonly salt: Buffer;
  readonly digest: Buffer;
  readonly expiresAt: number;
}

export interface PasswordCheckOptions {
  readonly directory: UserDirectory;
  readonly now: () => number;
  readonly maxEntries: number;
  readonly counters: Counters;
  readonly log: (event: string, fields: Readonly<Record<string, unknown>>) => void;
}

/**
 * Password checks with Kapacitor's salted SHA-256 fast path in front of
 * bcrypt (a bcrypt check at cost 10 takes tens of milliseconds; a gateway sees
 * the same Basic credentials on every request), each entry bound to the hash
 * it was derived from.
 *
 * A user without a hash (an Enterprise LDAP user, every OSS user) has nothing
 * to bind an entry to: a password changed at the directory would go unseen
 * until the user is read again. So the directory is asked on every request,
 * and concurrent checks of the same name and password share one question.
 */
export class PasswordCheck {
  readonly #entries = new Map<string, FastPathEntry>();
  readonly #asking = new Map<string, Promise<boolean>>();
  readonly #options: PasswordCheckOptions;

  constructor(options: PasswordCheckOptions) {
    this.#options = options;
  }

  /** Throws when the directory cannot answer (a user without a hash). */
  async check(found: CachedUser, password: string, signal: AbortSignal): Promise<boolean> {
    const { record } = found;
    if (record.hash === undefined) return this.#askDirectory(record.name, password, signal);
    const entry = this.#entries.get(record.name);
    if (entry && entry.basis === record.hash && entry.expiresAt > this.#options.now() && digestMatches(entry, password)) {
      this.#options.counters.add('password_cache_hits_total');
      return true;
    }
    const ok = await this.#bcrypt(record.name, record.hash, password);
    if (ok) this.#remember(record.name, record.hash, password);
    else this.#entries.delete(record.name);
    return ok;
  }

  #askDirectory(name: string, password: string, signal: AbortSignal): Promise<boolean> {
    // Keyed by a digest, so the map never holds a password.
    const key = createHash('sha256').update(name).update('\0').update(password).digest('base64');
    let asking = this.#asking.get(key);
    if (!asking) {
      this.#options.counters.add('directory_calls_total');
      // Shared, so no one request's abort cancels it; the directory's own timeout bounds it.
      asking = this.#options.directory.checkPassword(name, password, new AbortController().signal).finally(() => this.#asking.delete(key));
      this.#asking.set(key, asking);
    }
    return abortable(asking, signal);
  }

  async #bcrypt(name: string, hash: string, password: string): Promise<boolean> {
    if (!BCRYPT_HASH.test(hash)) {
      // Kapacitor understands bcrypt only; a meta node set to pbkdf2 hashes can never log anyone in.
      this.#options.log('kapacitor.unsupported_password_hash', { user: name, directory: this.#options.directory.url });
      return false;
    }
    this.#options.counters.add('bcrypt_checks_total');
    return bcrypt.compare(password, hash);
  }

  #remember(name: string, basis: string, password: string): void {
    const salt = randomBytes(32);
    this.#entries.delete(name);
    this.#entries.set(name, { basis, salt, digest: saltedDigest(salt, password), expiresAt: this.#options.now() + FAST_PATH_TTL_MS });
    if (this.#entries.size > this.#options.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}

function saltedDigest(salt: Buffer, password: string): Buffer {
  return createHash('sha256').update(salt).update(password).digest();
}

function digestMatches(entry: FastPathEntry, password: string): boolean {
  return timingSafeEqual(saltedDigest(entry.salt, password), entry.digest);
}
