import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { AuthError } from '@auth/core';

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
  const dir = dirname(file);
  await ensurePrivateDir(dir);
  const temp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  // fsync of the folder makes the rename itself durable; some file systems cannot, and the rename still happened.
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } catch (error) {
    if (!['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await folder.close();
  }
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
