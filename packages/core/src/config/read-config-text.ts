import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { AuthError } from '../errors.js';
import { refuseUnsafe } from './permissions.js';

/**
 * The text of a config file, or undefined when there is none yet. A file
 * another user owns or may write is refused (see permissions.ts), checked
 * on the handle that is read, so it cannot be swapped in between. Read
 * synchronously: it is one small file on the print-token hot path, where
 * loading `fs/promises` and waiting on the thread pool cost more than the read.
 */
export async function readConfigText(file: string): Promise<string | undefined> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw unreadable(file, code, error);
  }
  try {
    refuseUnsafe(fstatSync(fd), { path: file, code: 'CONFIG_INVALID', advice: 'check what it says' });
    return readFileSync(fd, 'utf8');
  } catch (error) {
    if (AuthError.is(error)) throw error;
    throw unreadable(file, (error as NodeJS.ErrnoException).code, error);
  } finally {
    closeSync(fd);
  }
}

function unreadable(file: string, code: string | undefined, cause: unknown): AuthError {
  return new AuthError('CONFIG_INVALID', `${file}: cannot read the config file (${code})`, {
    file,
    hint: `check that ${file} is a readable file`,
    cause,
  });
}
