import { credentialsDir } from '../config/paths.js';
import type { CredentialStore } from '../contracts/v1/credential-store.js';
import { CredentialSchema } from '../token-set.js';
import { createFileStore, type FileLockOptions } from './file-store.js';
import {
  corruptKeyringItem,
  deleteKeyringItem,
  keyringPlace,
  listKeyringItems,
  readKeyringItem,
  writeKeyringItem,
  type KeyringPlace,
} from './keyring-items.js';
import { credentialToStore } from './validate-credential.js';

export interface KeyringStoreOptions {
  /** `store.path`: names the keyring service (see `keyringPlace`) and holds sealed values and lock files. */
  storePath: string;
  lock?: FileLockOptions;
}

/**
 * Credentials in the OS keyring (@napi-rs/keyring: Secret Service, macOS
 * Keychain, Windows Credential Manager), one item per key. Every call is
 * bounded in time; a keyring that is absent, locked or stuck is
 * STORE_UNAVAILABLE. The keyring cannot lock, so `withLock` takes the same
 * per-key lock file as the file store: both backends serialise a refresh the
 * same way, also while credentials move between them.
 */
export function createKeyringStore(opts: KeyringStoreOptions): CredentialStore & { readonly place: KeyringPlace } {
  const place = keyringPlace(opts.storePath);
  const locks = createFileStore({ dir: credentialsDir(opts.storePath), ...(opts.lock === undefined ? {} : { lock: opts.lock }) });

  return {
    specificationVersion: 'v1',
    id: 'keyring',
    place,

    async get(key) {
      const raw = await readKeyringItem(place, key);
      if (raw === undefined) return undefined;
      const parsed = CredentialSchema.safeParse(raw);
      if (!parsed.success) throw corruptKeyringItem(place, key, 'is not a valid credential');
      return parsed.data;
    },

    async set(key, value) {
      await writeKeyringItem(place, key, JSON.stringify(credentialToStore(key, value)));
    },

    delete: (key) => deleteKeyringItem(place, key),

    list: () => listKeyringItems(place),

    withLock: (key, fn) => locks.withLock(key, fn),
  };
}
