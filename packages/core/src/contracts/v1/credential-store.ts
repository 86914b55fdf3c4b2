import type { Credential } from '../../token-set.js';

/**
 * Where credentials live. One value per key (see `tokenKey`, `clientSecretKey`).
 * `withLock` serialises read-modify-write on one key across processes, so a
 * rotated refresh token is never lost to a race.
 */
export interface CredentialStore {
  readonly specificationVersion: 'v1';
  /** `file`, `memory`, `keyring`, ... */
  readonly id: string;
  get(key: string): Promise<Credential | undefined>;
  set(key: string, value: Credential): Promise<void>;
  /** True when something was deleted. */
  delete(key: string): Promise<boolean>;
  list(): Promise<string[]>;
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}
