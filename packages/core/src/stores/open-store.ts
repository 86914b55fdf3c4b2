import type { AuthctlConfig } from '../config/types.js';
import { credentialsDir } from '../config/paths.js';
import type { CredentialStore } from '../contracts/v1/credential-store.js';
import { createAutoStore } from './auto-store.js';
import { announceOnce, forgetAnnouncement } from './fallback-notice.js';
import { createFileStore } from './file-store.js';
import { firstWarning, probeKeyring } from './keyring-agent.js';
import { createKeyringStore } from './keyring-store.js';

export interface OpenStoreOptions {
  /**
   * Prints a warning line (default: stderr). `auto` warns once per state
   * folder when a new credential goes to a file because the OS keyring is
   * not usable, and again only after the keyring has worked in between;
   * the file store says when it narrowed a folder's mode.
   */
  warn?: (line: string) => void;
}

/**
 * The store `[store] backend` selects: `file`, `keyring` (failing with
 * STORE_UNAVAILABLE when the keyring cannot be used), or `auto` (the keyring,
 * else files with one warning). Opening costs nothing: the keyring is only
 * reached, within a bounded time, when a credential is read or written.
 */
export function openStore(config: AuthctlConfig, options: OpenStoreOptions = {}): CredentialStore {
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const file = createFileStore({ dir: credentialsDir(config.store.path), stateDir: config.store.path, warn });
  if (config.store.backend === 'file') return file;
  const keyring = createKeyringStore({ storePath: config.store.path });
  if (config.store.backend === 'keyring') return keyring;
  return createAutoStore({
    file,
    keyring,
    keyringStatus: () => probeKeyring(keyring.place.service),
    onFallback: (reason) => {
      if (!firstWarning(keyring.place.service)) return;
      announceOnce(config.store.path, () =>
        warn(
          `warning: no usable OS keyring (${reason}); credentials are stored in files under ${credentialsDir(config.store.path)} (0600). ` +
            'Run `authctl store use file` to make that the setting; this warning is not repeated.',
        ),
      );
    },
    onKeyringWrite: () => forgetAnnouncement(config.store.path),
  });
}
