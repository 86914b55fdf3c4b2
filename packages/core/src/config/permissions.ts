import { chmodSync, statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { AuthError } from '../errors.js';

/**
 * The checks OpenSSH makes of `~/.ssh` (StrictModes), for what authctl relies
 * on: whoever can replace config.toml chooses the `token_url` a
 * service-account secret is sent to, and whoever can write a folder can
 * replace the files in it. So such a file or folder must belong to this user
 * (or to root, who could change anything anyway) and be writable by no one
 * else. Synchronous and stat-only: the print-token hot path runs them.
 */

const WRITABLE_BY_OTHERS = 0o022;

export interface CheckedPath {
  path: string;
  /** What the path is, after it in messages: `AUTHCTL_HOME`. */
  what?: string;
  code: 'CONFIG_INVALID' | 'STORE_INSECURE';
  /** Extra words for the hint (what to look at before fixing). */
  advice?: string;
}

/**
 * Is `owner` this user or root? Always true where there are no uids
 * (Windows: its ACLs are another story).
 */
export function ownedBySelfOrRoot(owner: number): boolean {
  const self = process.geteuid?.();
  return self === undefined || owner === self || owner === 0;
}

/** Refuses a file (the fstat of its open handle) or a folder that another user owns or may write. */
export function refuseUnsafe(info: Pick<Stats, 'uid' | 'mode'>, checked: CheckedPath): void {
  const uid = process.geteuid?.();
  if (uid === undefined) return;
  const label = checked.what === undefined ? checked.path : `${checked.path} (${checked.what})`;
  const advice = checked.advice === undefined ? '' : `${checked.advice}, then `;
  if (!ownedBySelfOrRoot(info.uid)) {
    throw new AuthError(checked.code, `${label} is owned by another user (uid ${info.uid}); refusing to use it`, {
      file: checked.path,
      hint: `${advice}\`sudo chown ${userName(uid)} ${checked.path}\` if it is yours; otherwise move it away`,
    });
  }
  if ((info.mode & WRITABLE_BY_OTHERS) !== 0) {
    throw new AuthError(checked.code, `${label} is writable by other users (mode ${octal(info.mode)}); refusing to use it`, {
      file: checked.path,
      hint: `${advice}\`chmod go-w ${checked.path}\``,
    });
  }
}

/**
 * A folder authctl made (its default home, its state folders): when it
 * belongs to this user and others may write it, their write access is
 * removed and `warn` says so; never silently. Anything else unsafe is
 * refused. A missing folder has nothing to check.
 */
export function repairFolder(checked: CheckedPath, warn: (line: string) => void): void {
  const info = statIfExists(checked.path);
  if (info === undefined) return;
  if (info.uid === process.geteuid?.() && (info.mode & WRITABLE_BY_OTHERS) !== 0) {
    const narrowed = info.mode & 0o7777 & ~WRITABLE_BY_OTHERS;
    try {
      chmodSync(checked.path, narrowed);
      warn(`warning: ${checked.path} was writable by other users (mode ${octal(info.mode)}); changed it to ${octal(narrowed)}`);
      return;
    } catch {
      // Refused below, with the chmod to run.
    }
  }
  refuseUnsafe(info, checked);
}

/** A folder someone pointed authctl at (AUTHCTL_HOME): checked, never changed. */
export function checkFolder(checked: CheckedPath): void {
  const info = statIfExists(checked.path);
  if (info !== undefined) refuseUnsafe(info, checked);
}

function statIfExists(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

/** For the chown hint; a uid with no account name is a valid chown owner too. */
function userName(uid: number): string {
  try {
    return userInfo().username;
  } catch {
    return String(uid);
  }
}
