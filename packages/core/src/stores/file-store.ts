import type { Stats } from 'node:fs';
import { chmod, mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ownedBySelfOrRoot, refuseUnsafe, repairFolder } from '../config/permissions.js';
import type { CredentialStore } from '../contracts/v1/credential-store.js';
import { AuthError } from '../errors.js';
import { syncDir, writeFileAtomic } from './atomic-write.js';
import { credentialFileName, readCredentialFile } from './credential-file.js';
import { withFileLock, type FileLockOptions } from './file-lock.js';
import { credentialToStore, storedCredential } from './validate-credential.js';

export type { FileLockOptions };

export interface FileStoreOptions {
  /** Folder of the credential files; created 0700, repaired to 0700 when wider. */
  dir: string;
  /**
   * The folder holding `dir` (`store.path`), when it is authctl's own: others
   * may read it but never write it (or they could swap `dir`); a wider mode
   * is repaired.
   */
  stateDir?: string;
  /** Says what was repaired, a folder's mode (default: stderr). */
  warn?: (line: string) => void;
  /** Lock wait bound and stale-lock age (defaults: 60 s, 10 s). */
  lock?: FileLockOptions;
}

const FILE_SUFFIX = '.json';

/**
 * One JSON file per key, `<dir>/<encodeURIComponent(key)>.json`, mode 0600,
 * replaced atomically. `withLock` holds `<dir>/<encoded key>.lock` across
 * processes; `get` and `set` take no lock, so a locked section may call them.
 */
export function createFileStore(opts: FileStoreOptions): CredentialStore {
  const dir = resolve(opts.dir);
  const warn = opts.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const secureDir = (create: boolean) => {
    if (opts.stateDir !== undefined) repairFolder({ path: resolve(opts.stateDir), code: 'STORE_INSECURE' }, warn);
    return secureCredentialsDir(dir, create, warn);
  };
  const fileOf = (key: string) => join(dir, credentialFileName(key));

  return {
    specificationVersion: 'v1',
    id: 'file',

    async get(key) {
      if (!(await secureDir(false))) return undefined;
      const file = fileOf(key);
      const raw = await readCredentialFile(file, key);
      return raw === undefined ? undefined : storedCredential(raw, file, key);
    },

    async set(key, value) {
      const credential = credentialToStore(key, value);
      await secureDir(true);
      await writeFileAtomic(fileOf(key), `${JSON.stringify(credential, null, 2)}\n`);
    },

    async delete(key) {
      try {
        await unlink(fileOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
      await syncDir(dir);
      return true;
    },

    async list() {
      if (!(await secureDir(false))) return [];
      // Temp files end in .tmp and locks in .lock, so the suffix alone tells credentials apart.
      return (await readdir(dir))
        .filter((name) => name.endsWith(FILE_SUFFIX))
        .flatMap((name) => keyOfFileName(name.slice(0, -FILE_SUFFIX.length)))
        .sort();
    },

    async withLock(key, fn) {
      await secureDir(true);
      const file = fileOf(key);
      return withFileLock(file, `${file.slice(0, -FILE_SUFFIX.length)}.lock`, `credential "${key}"`, fn, opts.lock);
    },
  };
}

/** A name this store did not write (not URI-encoded) names no key. */
function keyOfFileName(encoded: string): string[] {
  try {
    return [decodeURIComponent(encoded)];
  } catch {
    return [];
  }
}

/**
 * Makes sure `dir` is a folder of this user only they can enter: created
 * 0700 when `create`, narrowed to 0700 when wider (with a message), refused
 * when another user owns it. False when it does not exist.
 */
async function secureCredentialsDir(dir: string, create: boolean, warn: (line: string) => void): Promise<boolean> {
  let info: Stats;
  try {
    info = await stat(dir);
    if (!info.isDirectory()) {
      throw new AuthError('STORE_UNAVAILABLE', `the credential store ${dir} is not a folder`, {
        file: dir,
        hint: `move ${dir} away, or set store.path in the config to another folder`,
      });
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (!create) return false;
    // The umask can only narrow 0700.
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return true;
  }
  const mode = info.mode & 0o777;
  if (!ownedBySelfOrRoot(info.uid) || (mode & 0o077) === 0) {
    refuseUnsafe(info, { path: dir, code: 'STORE_INSECURE' });
    return true;
  }
  try {
    await chmod(dir, 0o700);
  } catch (error) {
    throw new AuthError('STORE_INSECURE', `${dir} is accessible by other users (mode 0${mode.toString(8)}) and cannot be fixed`, {
      file: dir,
      hint: `chmod 700 ${dir}`,
      cause: error,
    });
  }
  warn(`warning: ${dir} was accessible by other users (mode 0${mode.toString(8)}); changed it to 0700`);
  return true;
}
