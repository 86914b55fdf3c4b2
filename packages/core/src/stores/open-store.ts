import type { AuthctlConfig } from '../config/types.js';
import { credentialsDir } from '../config/paths.js';
import type { CredentialStore } from '../contracts/credential-store.js';
import { AuthError } from '../errors.js';
import { createFileStore } from './file-store.js';

/**
 * The store a config selects. `auto` is the file store until the keyring
 * backend exists (issue 4); asking for `keyring` explicitly fails clearly.
 */
export function openStore(config: AuthctlConfig): CredentialStore {
  if (config.store.backend === 'keyring') {
    throw new AuthError('STORE_UNAVAILABLE', `${config.file}: store.backend = "keyring" is not available in this version`, {
      file: config.file,
      key: 'store.backend',
      hint: `set backend = "file" (or "auto") in the [store] table of ${config.file}`,
    });
  }
  return createFileStore({ dir: credentialsDir(config.store.path) });
}
