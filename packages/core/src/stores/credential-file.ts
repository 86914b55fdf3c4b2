import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { ownedBySelfOrRoot } from '../config/permissions.js';
import { AuthError } from '../errors.js';

/**
 * Reading one credential file, shared by the file store and the
 * `print-token` hot path, so both refuse the same files. Zod-free.
 */

/** `<encodeURIComponent(key)>.json`: a key may hold `#` or `/`. */
export function credentialFileName(key: string): string {
  return `${encodeURIComponent(key)}.json`;
}

/** Store keys look like `PROFILE` or `PROFILE#what`. */
export function profileOfKey(key: string): string {
  return key.split('#', 1)[0]!;
}

/**
 * The parsed JSON of a credential file, or undefined when there is none.
 * Like OpenSSH with a private key, a file any other user could read or
 * write, or that another user owns, is refused, not read. Synchronous on
 * purpose: one small file on the print-token hot path, where `fs/promises`
 * costs more than the read.
 */
export async function readCredentialFile(file: string, key: string): Promise<unknown> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new AuthError('STORE_UNAVAILABLE', `cannot read the credential file ${file} (${code})`, {
      file,
      profile: profileOfKey(key),
      hint: `check the owner and permissions of ${file}`,
      cause: error,
    });
  }
  let text: string;
  try {
    // fstat the open handle, not the path: no window to swap the file in between.
    const { mode, uid } = fstatSync(fd);
    // A token another user planted would be handed out as this user's.
    if (!ownedBySelfOrRoot(uid)) {
      throw new AuthError('STORE_INSECURE', `${file} is owned by another user (uid ${uid}); refusing to use it`, {
        file,
        profile: profileOfKey(key),
        hint: `move it away and run \`authctl login --profile ${profileOfKey(key)}\``,
      });
    }
    if ((mode & 0o077) !== 0) {
      const octal = `0${(mode & 0o777).toString(8)}`;
      throw new AuthError('STORE_INSECURE', `${file} is accessible by other users (mode ${octal}); refusing to use it`, {
        file,
        profile: profileOfKey(key),
        hint: `chmod 600 ${file}`,
      });
    }
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  try {
    return JSON.parse(text);
  } catch {
    // No cause kept: JSON.parse errors quote the text, which holds tokens.
    throw corruptCredential(file, key, 'is not valid JSON');
  }
}

/** STORE_CORRUPT for a credential file; logging in again rewrites it. */
export function corruptCredential(file: string, key: string, problem: string): AuthError {
  const profile = profileOfKey(key);
  return new AuthError('STORE_CORRUPT', `the credential file ${file} ${problem}`, {
    file,
    profile,
    hint: `run \`authctl login --profile ${profile}\``,
  });
}
