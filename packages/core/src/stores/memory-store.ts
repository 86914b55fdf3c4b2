import type { CredentialStore } from '../contracts/v1/credential-store.js';
import type { Credential } from '../token-set.js';
import { createKeyedMutex } from './key-mutex.js';
import { credentialToStore } from './validate-credential.js';

/** The store contract in one process's memory (tests, the server). Values are copied in and out. */
export function createMemoryStore(): CredentialStore {
  const values = new Map<string, Credential>();
  const withKey = createKeyedMutex();

  return {
    specificationVersion: 'v1',
    id: 'memory',
    async get(key) {
      const value = values.get(key);
      return value === undefined ? undefined : structuredClone(value);
    },
    async set(key, value) {
      values.set(key, structuredClone(credentialToStore(key, value)));
    },
    async delete(key) {
      return values.delete(key);
    },
    async list() {
      return [...values.keys()].sort();
    },
    withLock(key, fn) {
      return withKey(key, () => fn());
    },
  };
}
