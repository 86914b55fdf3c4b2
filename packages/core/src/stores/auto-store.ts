import type { CredentialStore } from '../contracts/v1/credential-store.js';
import type { KeyringStatus } from './keyring-agent.js';

export interface AutoStoreOptions {
  file: CredentialStore;
  keyring: CredentialStore;
  /** Whether the keyring can store credentials now (probed once per process, bounded in time). */
  keyringStatus: () => Promise<KeyringStatus>;
  /**
   * A new credential is about to be written to a file because the keyring
   * cannot take it. Rewriting one already there (a refresh) is not reported.
   */
  onFallback: (reason: string) => void;
  /** A credential went to the keyring: it works (again). */
  onKeyringWrite?: () => void;
}

/**
 * `store.backend = "auto"`: the OS keyring when it works, files when it does
 * not. Nothing about a fallback is remembered, so a keyring that comes back
 * is used again, and a credential written to a file meanwhile moves into it
 * the next time it is written (a refresh, a login).
 *
 * - reads: the file first, then the keyring. A file copy can only be newer:
 *   a write to the keyring removes it.
 * - writes: the keyring, then the file copy is removed; without a usable
 *   keyring, the file (and `onFallback` when the file is new).
 * - locks: the file store's per-key lock, which the keyring store shares.
 */
export function createAutoStore(opts: AutoStoreOptions): CredentialStore {
  const { file, keyring } = opts;
  const keyringUsable = async () => (await opts.keyringStatus()).usable;

  return {
    specificationVersion: 'v1',
    id: 'auto',

    async get(key) {
      return (await file.get(key)) ?? ((await keyringUsable()) ? keyring.get(key) : undefined);
    },

    async set(key, value) {
      const status = await opts.keyringStatus();
      if (status.usable) {
        await keyring.set(key, value);
        await file.delete(key);
        opts.onKeyringWrite?.();
        return;
      }
      if (!(await file.list()).includes(key)) opts.onFallback(status.reason);
      await file.set(key, value);
    },

    async delete(key) {
      const fromFile = await file.delete(key);
      const fromKeyring = (await keyringUsable()) ? await keyring.delete(key) : false;
      return fromFile || fromKeyring;
    },

    async list() {
      const keys = new Set(await file.list());
      if (await keyringUsable()) for (const key of await keyring.list()) keys.add(key);
      return [...keys].sort();
    },

    withLock: (key, fn) => file.withLock(key, fn),
  };
}
