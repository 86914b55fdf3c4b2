import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const TEMP_SUFFIX = '.tmp';

/**
 * Replaces `file` with `data` so that a reader (or a crash) sees the old
 * content or the new, never a mix: a private temp file (O_EXCL, 0600 from
 * creation) is written and fsynced, renamed over the target, and the
 * directory is fsynced so the rename itself survives a power loss.
 */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    try {
      // The umask can only narrow 0600; chmod makes the mode exact either way.
      await handle.chmod(0o600);
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncDir(dir);
  await removeOrphanTemps(dir, basename(file));
}

/** Makes a rename or unlink in `dir` durable. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some platforms and file systems cannot fsync a directory; the rename still happened.
    if (!['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle.close();
  }
}

/**
 * A writer killed between open and rename leaves its temp file behind, maybe
 * holding half a secret. Remove those whose writer process is gone.
 */
async function removeOrphanTemps(dir: string, target: string): Promise<void> {
  const prefix = `.${target}.`;
  for (const name of await readdir(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) continue;
    const pid = Number(name.slice(prefix.length).split('.', 1)[0]);
    if (Number.isInteger(pid) && !isProcessAlive(pid)) await unlink(join(dir, name)).catch(() => {});
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
