import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AuthError, writeFileAtomic } from '@auth/core';

/**
 * Files that hold keys or credential hashes: 0600 files in 0700 folders,
 * replaced atomically (temp file, fsync, rename, fsync of the folder) so a
 * crash leaves either the old or the new content, never half of one.
 */

export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await stat(dir);
  // mkdir's mode is masked by umask and ignored for an existing folder.
  if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
}

export async function writePrivateFile(file: string, content: string): Promise<void> {
  await ensurePrivateDir(dirname(file));
  await writeFileAtomic(file, content);
}

/** Reads a private file, or `undefined` when it does not exist; refuses one others can read. */
export async function readPrivateFile(file: string): Promise<string | undefined> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if ((info.mode & 0o077) !== 0) {
    throw new AuthError('STORE_INSECURE', `${file} is readable by other users (mode ${(info.mode & 0o777).toString(8)})`, {
      file,
      hint: `run \`chmod 600 ${file}\`, and rotate the keys if others may have read it`,
    });
  }
  return readFile(file, 'utf8');
}
